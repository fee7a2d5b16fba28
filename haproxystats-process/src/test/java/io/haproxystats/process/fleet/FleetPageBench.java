package io.haproxystats.process.fleet;

import io.haproxystats.common.config.FleetSettings;
import io.haproxystats.common.http.HttpEndpoint;
import io.haproxystats.process.kafka.FleetRecord;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The fleet page's size and time to first render for a large fleet (bench/fleet-page-bench.sh):
 * LBS load balancers x SERVERS servers each (backends of 20 servers; 1 server in 100 in
 * maintenance on one load balancer, 1 in 200 draining on all, 2 load balancers stale, 4 clusters),
 * held as the feed holds them, served by the real server on 127.0.0.1: the heap the records take,
 * the server's time to answer the page (analysis and rendering, no cache), the page's and the JSON's
 * bytes (plain and gzip), then Debian's chromium (headless, as the browser test starts it) loading
 * the page RUNS times: response end, DOMContentLoaded and first contentful paint, from the
 * navigation's start (medians, and the worst).
 */
public final class FleetPageBench {

    /**
     * The pull interval the page judges staleness by: long, so that the load balancers that reported
     * stay fresh for the whole run however slow the machine (only the two made stale are).
     */
    private static final Duration INTERVAL = Duration.ofMinutes(10);

    private static long median(long[] ms) {
        long[] warm = Arrays.copyOfRange(ms, 2, ms.length);
        Arrays.sort(warm);
        return warm[warm.length / 2];
    }

    public static void main(String[] args) throws Exception {
        int lbs = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int servers = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        long now = System.currentTimeMillis() / 1000;

        Runtime rt = Runtime.getRuntime();
        System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        Map<String, FleetRecord> held = new HashMap<>(); // as FleetFeed keeps them: by key
        for (int l = 1; l <= lbs; l++) {
            String lb = String.format("lb-%03d", l);
            long epoch = l <= 2 ? now - 7200 : now - 1;
            String cluster = "c" + (l % 4);
            for (int s = 0; s < servers; s++) {
                String state = s % 100 == 7 && l == 3 ? "DOWN/MAINT" : s % 200 == 11 ? "UP/DRAIN" : "UP/READY";
                FleetRecord r = new FleetRecord(
                        lb,
                        String.format("be_%03d", s / 20),
                        String.format("srv-%05d", s),
                        epoch,
                        cluster,
                        List.of(state));
                // through the topic's bytes, as read
                FleetRecord read = FleetRecord.parse(
                                r.key().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                r.value().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .orElseThrow();
                held.put(read.key(), read);
            }
        }
        System.gc();
        long after = rt.totalMemory() - rt.freeMemory();
        List<FleetRecord> records = List.copyOf(held.values());
        System.out.printf(
                "records: %,d (%d load balancers x %d servers), heap %,d MB%n",
                records.size(), lbs, servers, (after - before) >> 20);

        // The server's two steps alone, in this JVM (the median of RUNS after 2 warm-ups).
        long[] analyse = new long[runs + 2];
        long[] render = new long[runs + 2];
        FleetPage.Filters none = FleetPage.Filters.of(Map.of());
        for (int i = 0; i < analyse.length; i++) {
            long t0 = System.nanoTime();
            FleetView.Analysis a = none.analyse(records, List.of(), now, INTERVAL);
            long t1 = System.nanoTime();
            FleetPage.page(new FleetPage.Model(
                    a,
                    new FleetFeed.Snapshot(
                            1,
                            records,
                            new TreeMap<>(),
                            System.currentTimeMillis(),
                            true,
                            true,
                            Optional.empty(),
                            List.of()),
                    none,
                    new java.util.TreeSet<>(),
                    System.currentTimeMillis()));
            analyse[i] = (t1 - t0) / 1_000_000;
            render[i] = (System.nanoTime() - t1) / 1_000_000;
        }
        System.out.printf(
                "analysis (verdict, rows): %d ms median; page rendering: %d ms median%n",
                median(analyse), median(render));

        FleetFeed.Snapshot snapshot = new FleetFeed.Snapshot(
                1, records, new TreeMap<>(), System.currentTimeMillis(), true, true, Optional.empty(), List.of());
        long[] version = {1};
        // A new version for every request: the server analyses and renders each time, nothing cached.
        FleetServer server = new FleetServer(
                () -> new FleetFeed.Snapshot(
                        ++version[0],
                        snapshot.records(),
                        snapshot.clusters(),
                        System.currentTimeMillis(),
                        true,
                        true,
                        Optional.empty(),
                        List.of()),
                INTERVAL,
                System::currentTimeMillis);
        try (HttpEndpoint endpoint =
                server.start(new FleetSettings("127.0.0.1", 0, Optional.empty(), Optional.empty(), ""))) {
            String base = "http://127.0.0.1:" + endpoint.address().getPort() + "/";
            HttpClient http = HttpClient.newHttpClient();
            for (String path : List.of("", "?state=problems", "api/servers")) {
                long[] ms = new long[runs + 2];
                int plain = 0;
                for (int i = 0; i < ms.length; i++) {
                    long t0 = System.nanoTime();
                    plain = http.send(
                                    HttpRequest.newBuilder(URI.create(base + path))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofByteArray())
                            .body()
                            .length;
                    ms[i] = (System.nanoTime() - t0) / 1_000_000;
                }
                int gzip = http.send(
                                HttpRequest.newBuilder(URI.create(base + path))
                                        .header("Accept-Encoding", "gzip")
                                        .build(),
                                HttpResponse.BodyHandlers.ofByteArray())
                        .body()
                        .length;
                long[] warm = Arrays.copyOfRange(ms, 2, ms.length); // the first two warm the JIT
                Arrays.sort(warm);
                System.out.printf(
                        "GET /%s: %,d bytes (gzip %,d); answered in %d ms median, %d ms worst (%d runs after 2 warm-ups)%n",
                        path, plain, gzip, warm[warm.length / 2], warm[warm.length - 1], runs);
            }

            Path profile = Files.createTempDirectory("fleet-bench-chromium");
            ChromeDriver browser = FleetPageIT.chromium(profile, profile.resolve("chromedriver.log"));
            try {
                List<double[]> timings = new ArrayList<>();
                for (int i = 0; i < runs + 1; i++) {
                    browser.get("about:blank");
                    browser.get(base);
                    // (the paint entry is there once the first paint happened: asked again until then, up to 5 s)
                    ((JavascriptExecutor) browser)
                            .executeAsyncScript("const done = arguments[arguments.length - 1];"
                                    + " const t0 = Date.now();"
                                    + " (function check() {"
                                    + " if (performance.getEntriesByName('first-contentful-paint').length > 0"
                                    + " || Date.now() - t0 > 5000) done(); else setTimeout(check, 10); })();");
                    @SuppressWarnings("unchecked")
                    List<Number> t = (List<Number>) ((JavascriptExecutor) browser)
                            .executeScript("const n = performance.getEntriesByType('navigation')[0];"
                                    + " const p = performance.getEntriesByName('first-contentful-paint')[0];"
                                    + " return [n.responseEnd, n.domContentLoadedEventEnd, p ? p.startTime : -1,"
                                    + " document.querySelectorAll('#servers tbody tr').length];");
                    if (i > 0) { // the first load warms the server and the browser
                        timings.add(t.stream().mapToDouble(Number::doubleValue).toArray());
                    }
                }
                String[] names = {"response end", "DOMContentLoaded", "first contentful paint"};
                for (int k = 0; k < names.length; k++) {
                    final int col = k;
                    double[] v =
                            timings.stream().mapToDouble(a -> a[col]).sorted().toArray();
                    System.out.printf(
                            "chromium, %s: %.0f ms median, %.0f ms worst (%d loads)%n",
                            names[k], v[v.length / 2], v[v.length - 1], v.length);
                }
                System.out.printf("rows rendered: %.0f%n", timings.get(0)[3]);
            } finally {
                browser.quit();
            }
        }
        server.stop();
    }
}
