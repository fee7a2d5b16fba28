package io.haproxystats.process.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.config.FleetSettings;
import io.haproxystats.common.http.HttpEndpoint;
import io.haproxystats.process.kafka.FleetRecord;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fleet page's routes over real HTTP on 127.0.0.1, from a snapshot the test sets. */
class FleetServerTest {

    private static final long NOW = 1795224300L;

    final AtomicReference<FleetFeed.Snapshot> feed = new AtomicReference<>();
    final HttpClient client = HttpClient.newHttpClient();
    FleetServer server;
    HttpEndpoint endpoint;
    String base;

    @BeforeEach
    void start() throws Exception {
        feed.set(FleetPageTest.snapshot(FleetPageTest.fleet("UP/READY"), true, NOW * 1000));
        server = new FleetServer(feed::get, Duration.ofSeconds(10), () -> NOW * 1000);
        endpoint = server.start(new FleetSettings("127.0.0.1", 0, Optional.empty(), Optional.empty(), ""));
        base = "http://127.0.0.1:" + endpoint.address().getPort() + "/";
    }

    @AfterEach
    void stop() {
        server.stop();
        endpoint.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void thePageItsAssetsAndTheApiWithSecurityHeaders() throws Exception {
        HttpResponse<String> page = get("?state=UP");
        assertEquals(200, page.statusCode());
        assertEquals(
                "text/html; charset=utf-8",
                page.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(
                FleetPage.CSP,
                page.headers().firstValue("Content-Security-Policy").orElseThrow());
        assertEquals(
                "nosniff", page.headers().firstValue("X-Content-Type-Options").orElseThrow());
        assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElseThrow());
        assertTrue(page.body().contains("<h1 id=\"verdict\">SERVERS OK: 2 server(s) UP/READY on lb[1-3]</h1>"));
        assertTrue(page.body().contains("<option value=\"UP\" selected>UP</option>"));

        HttpResponse<String> js = get("static/fleet.js");
        assertEquals(200, js.statusCode());
        assertEquals(
                "text/javascript; charset=utf-8",
                js.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(js.body().contains("new EventSource('events' + window.location.search)"));
        assertEquals(200, get("static/fleet.css").statusCode());
        assertEquals(404, get("static/other.js").statusCode());
        assertEquals(404, get("elsewhere").statusCode());

        HttpResponse<String> api = get("api/servers?cluster=web");
        assertEquals(
                "application/json", api.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(
                api.body().startsWith("{\"status\":\"SERVERS OK: 2 server(s) UP/READY on lb[1-3] | lbs=3 "),
                api.body());
        assertTrue(get("api/clusters").body().startsWith("{\"clusters\":[{\"name\":\"web\","));

        HttpResponse<String> post = client.send(
                HttpRequest.newBuilder(URI.create(base + "api/servers"))
                        .POST(HttpRequest.BodyPublishers.ofString("x"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode(), "read-only");
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void aLargePageIsSentCompressedWhenTheClientTakesGzip() throws Exception {
        HttpResponse<byte[]> page = client.send(
                HttpRequest.newBuilder(URI.create(base))
                        .header("Accept-Encoding", "gzip")
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals("gzip", page.headers().firstValue("Content-Encoding").orElseThrow());
        String body = new String(
                new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(page.body())).readAllBytes(),
                StandardCharsets.UTF_8);
        assertTrue(body.contains("lb[1-3]: UP/READY"), body);
    }

    @Test
    void theEventStreamSendsTheLivePartAgainWhenTheDataChanges() throws Exception {
        HttpResponse<java.io.InputStream> events = client.send(
                HttpRequest.newBuilder(URI.create(base + "events?state=problems"))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(
                "text/event-stream; charset=utf-8",
                events.headers().firstValue("Content-Type").orElseThrow());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(events.body(), StandardCharsets.UTF_8))) {
            String first = event(in);
            assertTrue(first.contains("<h1 id=\"verdict\">SERVERS OK: "), first);
            assertTrue(first.contains("<small id=\"shown\">0 of 2 shown"), first);
            List<FleetRecord> maint = FleetPageTest.fleet("DOWN/MAINT");
            FleetFeed.Snapshot before = feed.get();
            feed.set(new FleetFeed.Snapshot(
                    before.version() + 1,
                    maint,
                    before.clusters(),
                    before.contactMillis(),
                    true,
                    true,
                    Optional.empty(),
                    List.of()));
            String second = event(in);
            assertTrue(second.contains("<h1 id=\"verdict\">SERVERS CRITICAL: 1 server(s) MAINT or DOWN</h1>"), second);
            assertTrue(second.contains("<div class=\"st st-maint\">lb3: DOWN/MAINT</div>"), second);
            assertTrue(second.contains("<small id=\"shown\">1 of 2 shown"), "the stream keeps its filters");
        }
    }

    /** The next {@code live} event's data, its lines joined as a browser joins them. */
    private static String event(BufferedReader in) throws Exception {
        List<String> data = new ArrayList<>();
        boolean live = false;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.equals("event: live")) {
                live = true;
            } else if (line.startsWith("data: ") && live) {
                data.add(line.substring(6));
            } else if (line.isEmpty() && live) {
                return String.join("\n", data);
            }
        }
        throw new AssertionError("the stream ended");
    }

    @Test
    void filtersComeFromTheQueryString() {
        assertEquals(
                new FleetPage.Filters("a b", "<", "web", ""),
                FleetPage.Filters.of(Map.of("backend", "a b", "server", "<", "cluster", "web", "state", "bogus")));
    }

    @Test
    void serveSaysItsDefaultsAndRefusesABadListenNamingIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cl = FleetCommand.commandLine();
        cl.setOut(new java.io.PrintWriter(out));
        cl.setErr(new java.io.PrintWriter(err));
        assertEquals(0, cl.execute("serve", "-p"));
        assertTrue(out.toString().contains("[fleet]\n"), out.toString());
        assertTrue(out.toString().contains("\nlisten = 127.0.0.1:9211\n"), out.toString());
        assertTrue(out.toString().contains("\n# basic-auth-file =  (unset)\n"), out.toString());
        java.nio.file.Path conf = java.nio.file.Files.writeString(
                tmp.resolve("fleet.conf"), "[kafka]\nbootstrap-servers = 127.0.0.1:9\n[fleet]\nlisten = everywhere\n");
        assertEquals(2, cl.execute("serve", "-f", conf.toString()));
        assertEquals(
                "haproxystats-fleet serve: configuration error: [fleet] listen: expected host:port (or [ipv6]:port,"
                        + " port 0 to 65535), got 'everywhere'\n",
                err.toString());
    }
}
