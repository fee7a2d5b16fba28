package io.haproxystats.process.fleet;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.haproxystats.common.config.FleetSettings;
import io.haproxystats.common.http.HttpEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The fleet page's routes on an {@link HttpEndpoint}: {@code /} the page, {@code /events} its live
 * part as server-sent events (sent again whenever the data, the stale load balancers or the Kafka
 * link changed, checked every half pull interval, between 0.25 and 5 s), {@code /api/servers}
 * and {@code /api/clusters} the same data as JSON, {@code /static/} the page's one script and one
 * style sheet (from the jar: nothing is fetched from elsewhere). All take the page's filters in
 * the query string. Read-only.
 */
final class FleetServer {

    private final Supplier<FleetFeed.Snapshot> feed;
    private final Duration interval;
    private final LongSupplier clock;
    private final Duration tick;
    private final Map<List<Object>, Object> cache = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** @param feed the data as of now ({@link FleetFeed#snapshot}) */
    FleetServer(Supplier<FleetFeed.Snapshot> feed, Duration interval, LongSupplier clock) {
        this.feed = feed;
        this.interval = interval;
        this.clock = clock;
        long half = interval.toMillis() / 2;
        this.tick = Duration.ofMillis(Math.max(250, Math.min(5000, half)));
    }

    HttpEndpoint start(FleetSettings settings) throws IOException {
        Map<String, HttpHandler> routes = new LinkedHashMap<>();
        routes.put("/", this::page);
        routes.put("/events", this::events);
        routes.put("/api/servers", e -> json(e, FleetPage.servers(model(e))));
        routes.put("/api/clusters", e -> json(e, FleetPage.clusters(model(e))));
        routes.put("/static/", FleetServer::asset);
        return HttpEndpoint.start(settings, "haproxystats fleet", FleetPage.CSP, routes);
    }

    /** Ends the event streams (at their next tick); the endpoint is closed by its owner. */
    void stop() {
        closed = true;
    }

    private void page(HttpExchange e) throws IOException {
        String path = e.getRequestURI().getPath();
        if (!path.equals("/") && !path.equals("/index.html")) {
            HttpEndpoint.send(e, 404, "text/plain; charset=utf-8", "not found\n");
            return;
        }
        HttpEndpoint.send(e, 200, "text/html; charset=utf-8", FleetPage.page(model(e)));
    }

    private static void json(HttpExchange e, String body) throws IOException {
        HttpEndpoint.send(e, 200, "application/json", body);
    }

    /** The model for the request's filters; the analysis shared by the requests of one version and second. */
    FleetPage.Model model(HttpExchange e) {
        return model(FleetPage.Filters.of(HttpEndpoint.query(e)));
    }

    FleetPage.Model model(FleetPage.Filters filters) {
        long now = clock.getAsLong();
        FleetFeed.Snapshot s = feed.get();
        long second = now / 1000;
        List<Object> key = List.of(s.version(), second, filters.cluster(), filters.backend(), filters.server());
        FleetView.Analysis a = (FleetView.Analysis)
                cache.computeIfAbsent(key, k -> filters.analyse(s.records(), s.refused(), second, interval));
        @SuppressWarnings("unchecked")
        SortedSet<String> clusters = (SortedSet<String>) cache.computeIfAbsent(List.of(s.version(), "clusters"), k -> {
            SortedSet<String> names = new TreeSet<>();
            s.records().forEach(r -> names.add(r.cluster()));
            names.addAll(s.clusters().keySet());
            names.remove(io.haproxystats.process.kafka.FleetRecord.NO_CLUSTER);
            return names;
        });
        // Older entries go: a version or a second that passed is not asked for again.
        cache.keySet()
                .removeIf(
                        k -> !Objects.equals(k.get(0), s.version()) || (k.get(1) instanceof Long l && l < second - 1));
        return new FleetPage.Model(a, s, filters, clusters, now);
    }

    /** Server-sent events: the live part, each time what it shows changed; a comment every 15 s keeps the link. */
    private void events(HttpExchange e) throws IOException {
        FleetPage.Filters filters = FleetPage.Filters.of(HttpEndpoint.query(e));
        e.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        e.sendResponseHeaders(200, 0);
        OutputStream out = e.getResponseBody();
        out.write("retry: 2000\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        List<Object> sent = null;
        long beat = clock.getAsLong();
        try {
            while (!closed) {
                FleetPage.Model m = model(filters);
                List<Object> shown = List.of(
                        m.feed().version(),
                        m.analysis().stale(),
                        m.analysis().exitCode(),
                        m.feed().connected(),
                        m.feed().caughtUp());
                if (!shown.equals(sent)) {
                    StringBuilder event = new StringBuilder("event: live\n");
                    for (String line : FleetPage.live(m).split("\n", -1)) {
                        event.append("data: ").append(line).append('\n');
                    }
                    out.write(event.append('\n').toString().getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    sent = shown;
                    beat = clock.getAsLong();
                } else if (clock.getAsLong() - beat > 15_000) {
                    out.write(": still here\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    beat = clock.getAsLong();
                }
                Thread.sleep(tick);
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        } catch (IOException ex) {
            // the browser went away
        }
    }

    private static final Map<String, byte[]> ASSETS = Map.of(
            "/static/fleet.js", resource("fleet.js"),
            "/static/fleet.css", resource("fleet.css"));

    private static void asset(HttpExchange e) throws IOException {
        String path = e.getRequestURI().getPath();
        byte[] body = ASSETS.get(path);
        if (body == null) {
            HttpEndpoint.send(e, 404, "text/plain; charset=utf-8", "not found\n");
            return;
        }
        String type = path.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
        HttpEndpoint.send(e, 200, type, body);
    }

    private static byte[] resource(String name) {
        try (InputStream in = FleetServer.class.getResourceAsStream(name)) {
            return Objects.requireNonNull(in, name + " is missing from the jar").readAllBytes();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
