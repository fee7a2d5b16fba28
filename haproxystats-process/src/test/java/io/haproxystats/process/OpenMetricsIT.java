package io.haproxystats.process;

import static io.haproxystats.common.testing.Daemons.PROCESS;
import static io.haproxystats.common.testing.Daemons.PULL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.testing.CarbonRelay;
import io.haproxystats.common.testing.Daemons;
import io.haproxystats.common.testing.HaproxyInstance;
import io.haproxystats.common.testing.Prometheus;
import io.haproxystats.common.testing.TestConfig;
import io.haproxystats.common.testing.Wait;
import io.haproxystats.process.compute.Hostname;
import io.haproxystats.process.compute.MetricPaths;
import io.haproxystats.process.compute.SeriesMapping;
import io.haproxystats.process.testing.GraphiteLines;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code [openmetrics] listen} end to end, real parts only: HAProxy → both executables, the
 * processor sending to a real carbon-c-relay and serving {@code /metrics} → Debian's Prometheus
 * scraping it every second. The sample Prometheus stored for a poll (found by its timestamp,
 * which is the poll's) equals the processor's Graphite line of that poll, for a counter and a
 * gauge; Prometheus reads the OpenMetrics text without error; {@code promtool check metrics}
 * finds nothing in the Prometheus text; gzip is served when asked; scrapes are counted in the
 * status file and the self metrics; and scrapers that hold connections without finishing their
 * request or reading the answer (more of them than scrapes may run at once) stall neither the
 * polls nor Prometheus' scrapes.
 */
class OpenMetricsIT {

    private static final Pattern SAMPLE = Pattern.compile("\"value\":\\[([0-9.]+),\"([^\"]+)\"\\]");

    @TempDir
    Path tmp;

    /** A listen port another process holds: exit 1 and one line naming the option, no stack trace. */
    @Test
    void aListenPortInUseStopsTheStartWithOneLine() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path conf = Files.writeString(
                    tmp.resolve("taken.conf"),
                    TestConfig.paths(tmp.resolve("taken")) + """
                    [process]
                    src-dir = ${paths:base-dir}/incoming
                    [openmetrics]
                    listen = 127.0.0.1:%d
                    """.formatted(taken.getLocalPort()));
            ProcessBuilder pb = new ProcessBuilder(PROCESS.toString(), "-f", conf.toString()).redirectErrorStream(true);
            pb.environment().put("HAPROXYSTATS_AOT", "off");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(1, p.waitFor(), out);
            assertTrue(
                    out.contains("haproxystats-process: [openmetrics] listen: cannot listen on 127.0.0.1:"
                            + taken.getLocalPort() + ": Address already in use\n"),
                    out);
            assertTrue(!out.contains("Exception") && !out.contains("\tat "), out);
        }
    }

    @Test
    void prometheusStoresWhatGraphiteGetsForThePollAndPromtoolFindsNothing() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        int endpointPort = HaproxyInstance.freePort();
        try (HaproxyInstance h = HaproxyInstance.start(run, "lb1");
                CarbonRelay relay = CarbonRelay.start(tmp);
                Prometheus prometheus = Prometheus.start(tmp.resolve("prometheus"), endpointPort)) {
            HttpClient client = HttpClient.newHttpClient();
            for (int i = 0; i < 3; i++) { // nothing serves be.app: 503s, counted as requests and 5xx
                client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.frontendPort() + "/"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
            }
            Path conf = tmp.resolve("haproxystats.conf");
            Files.writeString(
                    conf, TestConfig.spool(tmp.resolve("spool"), run) + """
                    [process]
                    src-dir = ${paths:base-dir}/incoming
                    state-metrics = true
                    [graphite]
                    port = %d
                    namespace = loadbalancers
                    prefix-hostname = true
                    fqdn = false
                    delay = 1
                    [openmetrics]
                    listen = 127.0.0.1:%d
                    """.formatted(relay.port(), endpointPort));
            Process process = Daemons.start(PROCESS, conf, tmp.resolve("process.log"));
            Process pull = Daemons.start(PULL, conf, tmp.resolve("pull.log"));
            try {
                String hostname = Hostname.local();
                int dot = hostname.indexOf('.');
                String host = MetricPaths.sanitise(dot < 0 ? hostname : hostname.substring(0, dot));
                String lb = SeriesMapping.tagValue(host);
                String p = "loadbalancers." + host + ".haproxy.";

                assertSameAsGraphite(
                        prometheus,
                        relay,
                        "haproxy_frontend_req_tot_total{lb=\"" + lb + "\",frontend=\"fe_lb1\"}",
                        p + "frontend.fe_lb1.req_tot");
                assertSameAsGraphite(
                        prometheus,
                        relay,
                        "haproxy_backend_servers_status{lb=\"" + lb + "\",backend=\"be_app\",status=\"UP\"}",
                        p + "backend.be_app.servers.UP");
                assertSameAsGraphite(
                        prometheus,
                        relay,
                        "haproxy_server_weight{lb=\"" + lb + "\",backend=\"be_app\",server=\"web-2\"}",
                        p + "backend.be_app.server.web-2.weight");
                String targets = prometheus.targets();
                assertTrue(targets.contains("\"health\":\"up\"") && targets.contains("\"lastError\":\"\""), targets);

                String text = scrape(endpointPort, "text/plain", false);
                assertTrue(text.contains("# TYPE haproxy_frontend_req_tot_total counter"), text);
                assertEquals("", Prometheus.checkMetrics(text), "promtool check metrics");
                String gzipped = scrape(endpointPort, "application/openmetrics-text; version=1.0.0", true);
                assertTrue(gzipped.endsWith("# EOF\n"), "OpenMetrics text, gzipped");
                assertTrue(gzipped.contains("# UNIT haproxy_frontend_bin_bytes bytes"), gzipped);

                // Scrapers that never finish their request or never read: more than may run at once.
                List<Socket> stuck = new ArrayList<>();
                try {
                    for (int i = 0; i < 10; i++) {
                        Socket s = new Socket();
                        s.setReceiveBufferSize(1024);
                        s.connect(new InetSocketAddress("127.0.0.1", endpointPort));
                        OutputStream out = s.getOutputStream();
                        out.write((i % 2 == 0
                                        ? "GET /metrics HTTP/1.1\r\nHost: x\r\n"
                                        : "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        stuck.add(s);
                    }
                    long before = latestPoll(relay);
                    Wait.until(
                            Duration.ofSeconds(30), () -> latestPoll(relay) >= before + 3, "3 more polls to Graphite");
                    long beforeScrape = sampleTime(prometheus, "haproxy_frontend_req_tot_total{lb=\"" + lb + "\"}");
                    Wait.until(
                            Duration.ofSeconds(30),
                            () -> sampleTime(prometheus, "haproxy_frontend_req_tot_total{lb=\"" + lb + "\"}")
                                    > beforeScrape,
                            "Prometheus still scrapes newer polls");
                } finally {
                    for (Socket s : stuck) {
                        s.close();
                    }
                }

                Path status = tmp.resolve("spool/haproxystats-process.status");
                Wait.until(
                        Duration.ofSeconds(30),
                        () -> {
                            try {
                                Matcher m = Pattern.compile("openmetrics_scrapes\\s*[=:]\\s*([0-9]+)")
                                        .matcher(Files.readString(status));
                                return m.find() && Long.parseLong(m.group(1)) > 0;
                            } catch (IOException e) {
                                return false;
                            }
                        },
                        "the status file counts scrapes");
                assertTrue(Files.readString(status).contains("openmetrics_last_scrape_seconds"));
                Wait.until(
                        Duration.ofSeconds(30),
                        () -> lines(relay).stream()
                                .anyMatch(l -> l.startsWith(p + "haproxystats.OpenMetricsScrapes ")
                                        && !l.startsWith(p + "haproxystats.OpenMetricsScrapes 0 ")),
                        "the self metrics count scrapes");
            } finally {
                pull.destroy();
                process.destroy();
                assertTrue(pull.waitFor(20, TimeUnit.SECONDS));
                assertTrue(process.waitFor(20, TimeUnit.SECONDS));
            }
        }
    }

    /**
     * Waits until Prometheus has a sample of {@code selector} whose timestamp is a poll Graphite
     * got {@code path} for, then compares the two values.
     */
    private static void assertSameAsGraphite(Prometheus prometheus, CarbonRelay relay, String selector, String path)
            throws Exception {
        String[] found = new String[3];
        Wait.until(
                Duration.ofSeconds(60),
                () -> {
                    Optional<String[]> sample = sample(prometheus, "timestamp(" + selector + ")");
                    Optional<String[]> value = sample(prometheus, selector);
                    if (sample.isEmpty() || value.isEmpty()) {
                        return false;
                    }
                    String ts = sample.get()[1];
                    for (GraphiteLines.Line l : GraphiteLines.lines(lines(relay))) {
                        if (l.path().equals(path) && ts.equals(l.timestamp())) {
                            found[0] = ts;
                            found[1] = l.value();
                            found[2] = value.get()[1];
                            // the same sample twice: the value query found the same timestamp's
                            return sample(prometheus, "timestamp(" + selector + ")")
                                    .map(s -> s[1].equals(ts))
                                    .orElse(false);
                        }
                    }
                    return false;
                },
                selector + " stored by Prometheus for a poll Graphite has");
        assertEquals(
                Double.parseDouble(found[1]),
                Double.parseDouble(found[2]),
                selector + " at " + found[0] + " vs Graphite " + path);
    }

    /** The one result of an instant query: {evaluation time, value}; empty when none. */
    private static Optional<String[]> sample(Prometheus prometheus, String promql) {
        try {
            Matcher m = SAMPLE.matcher(prometheus.query(promql));
            if (!m.find()) {
                return Optional.empty();
            }
            String value = m.group(2);
            return Optional.of(new String[] {m.group(1), value});
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static long sampleTime(Prometheus prometheus, String selector) {
        return sample(prometheus, "max(timestamp(" + selector + "))")
                .map(s -> (long) Double.parseDouble(s[1]))
                .orElse(0L);
    }

    private static List<String> lines(CarbonRelay relay) {
        try {
            return relay.lines();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static long latestPoll(CarbonRelay relay) {
        var polls = GraphiteLines.pollTimestamps(lines(relay));
        return polls.isEmpty() ? 0 : Long.parseLong(polls.last());
    }

    private static String scrape(int port, String accept, boolean gzip) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .header("Accept", accept);
        if (gzip) {
            request.header("Accept-Encoding", "gzip");
        }
        HttpResponse<byte[]> r =
                HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        Map<String, List<String>> headers = r.headers().map();
        byte[] body = r.body();
        if (gzip) {
            assertEquals(List.of("gzip"), headers.get("content-encoding"));
            body = new GZIPInputStream(new ByteArrayInputStream(body)).readAllBytes();
        }
        return new String(body, StandardCharsets.UTF_8);
    }
}
