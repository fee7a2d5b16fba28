package io.haproxystats.process;

import static io.haproxystats.common.testing.Daemons.PROCESS;
import static io.haproxystats.common.testing.Daemons.PULL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.haproxystats.common.testing.CarbonCache;
import io.haproxystats.common.testing.CarbonRelay;
import io.haproxystats.common.testing.Daemons;
import io.haproxystats.common.testing.GraphiteWeb;
import io.haproxystats.common.testing.HaproxyInstance;
import io.haproxystats.common.testing.TestConfig;
import io.haproxystats.common.testing.Wait;
import io.haproxystats.process.compute.Hostname;
import io.haproxystats.process.compute.MetricPaths;
import io.haproxystats.process.compute.SeriesMapping;
import io.haproxystats.process.testing.Fixtures;
import io.haproxystats.process.testing.GraphiteLines;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code [graphite] format = tags} end to end, real parts only: HAProxy (its web-2 served by this
 * test, answering after 20 ms, so the server has a response time) → both executables → Debian's
 * carbon-c-relay → carbon-cache with {@code ENABLE_TAGS} → graphite-web's tag database and render
 * API. {@code seriesByTag('name=haproxy.server.rtime','lb=<lb>',...)} answers the rtime
 * {@code show stat} has, and every line of a poll (frontend, backend, server, group, state,
 * servers-state, daemon, self), as local-store wrote it, is one series graphite-web renders with
 * the same value at the poll's timestamp. Cluster lines take the same dispatchers
 * (SeriesMappingTest maps them).
 */
class TaggedGraphiteIT {

    /** One series of the render API's JSON: its name, then its datapoints. */
    private static final Pattern TARGET = Pattern.compile("\\{\"target\": \"([^\"]+)\"");

    private static final Pattern POINT = Pattern.compile("\\[(null|-?[0-9.eE+-]+), ([0-9]+)\\]");

    @TempDir
    Path tmp;

    @Test
    void graphiteWebFindsEverySeriesOfAPollByItsTagsWithItsValue() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        HttpServer web2 = null;
        try (HaproxyInstance h = HaproxyInstance.start(run, "lb1")) {
            // web-2 takes its port before the stores pick theirs: a port found free stays free only until bound.
            web2 = HttpServer.create(new InetSocketAddress("127.0.0.1", h.serverPort()), 0);
            web2.createContext("/", exchange -> {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            web2.start();
            try (GraphiteWeb web =
                            GraphiteWeb.start(tmp.resolve("graphite-web"), tmp.resolve("carbon/storage/whisper"));
                    CarbonCache carbon = CarbonCache.startTagged(tmp.resolve("carbon"), web.url());
                    CarbonRelay relay = CarbonRelay.forwardingTo(tmp, carbon.port())) {
                Wait.until(Duration.ofSeconds(30), () -> down(h, "be.app,web.1,"), "web.1 DOWN by its checks");
                HttpClient client = HttpClient.newHttpClient();
                for (int i = 0; i < 5; i++) {
                    HttpResponse<Void> r = client.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.frontendPort() + "/"))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
                    assertEquals(200, r.statusCode(), "web-2 answers through HAProxy");
                }
                String rtime = field(h, "be.app", "web-2", "rtime");
                assertTrue(Long.parseLong(rtime) >= 20, "web-2 answered after 20 ms: rtime " + rtime);

                Path conf = tmp.resolve("haproxystats.conf");
                Files.writeString(conf, TestConfig.spool(tmp.resolve("spool"), run) + """
                    commands = info stat servers-state
                    [process]
                    src-dir = ${paths:base-dir}/incoming
                    state-metrics = true
                    per-process-metrics = true
                    [graphite]
                    port = %d
                    namespace = loadbalancers
                    prefix-hostname = true
                    fqdn = false
                    format = tags
                    delay = 1
                    group-namespace = grp
                    group-namespace-double-writes = false
                    [backend-groups]
                    apps = app
                    [local-store]
                    dir = ${paths:base-dir}/store
                    """.formatted(relay.port()));
                Path store = tmp.resolve("spool/store");
                Process process = Daemons.start(PROCESS, conf, tmp.resolve("process.log"));
                Process pull = Daemons.start(PULL, conf, tmp.resolve("pull.log"));
                try {
                    Wait.until(
                            Duration.ofSeconds(30),
                            () -> Fixtures.storedPolls(store).size() >= 2,
                            "2 polls processed");
                    String poll = Fixtures.storedPolls(store).get(1);
                    long ts = Long.parseLong(poll);
                    String hostname = Hostname.local();
                    int dot = hostname.indexOf('.');
                    String lb = SeriesMapping.tagValue(
                            MetricPaths.sanitise(dot < 0 ? hostname : hostname.substring(0, dot)));

                    Map<String, String> expected = new TreeMap<>();
                    for (GraphiteLines.Line l : GraphiteLines.lines(
                            Files.readAllLines(store.resolve(poll).resolve("stats")))) {
                        expected.put(canonical(l.path()), l.value());
                    }
                    for (String kind : List.of(
                            "haproxy.frontend.stot;",
                            "haproxy.frontend.status;",
                            "haproxy.backend.lbtot;",
                            "haproxy.server.rtime;",
                            "haproxy.server.status;",
                            "haproxy.server.op_state;",
                            "haproxy.backend.servers.admin_state;",
                            "haproxy.daemon.CurrConns;",
                            "haproxy.daemon.process.CpuUsagePct;",
                            "haproxy.haproxystats.MetricsServer;",
                            "haproxy.haproxystats.GraphiteQueuedLines;")) {
                        assertTrue(
                                expected.keySet().stream().anyMatch(k -> k.startsWith(kind)),
                                "the poll has a " + kind + " line: " + expected.keySet());
                    }
                    assertTrue(expected.size() > 100, "a real poll has hundreds of lines: " + expected.size());
                    assertTrue(expected.keySet().stream().anyMatch(k -> k.contains(";group=apps;")), "grouped lines");

                    // rtime of web-2 as show stat has it, found by its tags.
                    String target = "seriesByTag('name=haproxy.server.rtime','lb=" + lb + "','server=web-2')";
                    Map<String, String> rtimes = waitForValues(web, target, ts, 1);
                    assertEquals(1, rtimes.size(), rtimes.toString());
                    String series = rtimes.keySet().iterator().next();
                    assertTrue(series.contains(";backend=be_app;") && series.contains(";group=apps;"), series);
                    assertEquals(Double.parseDouble(rtime), Double.parseDouble(rtimes.get(series)), series);

                    // Every line of the poll, found through the tag database.
                    Map<String, String> stored =
                            waitForValues(web, "seriesByTag('lb=" + lb + "')", ts, expected.size());
                    Map<String, Double> want = new TreeMap<>();
                    expected.forEach((k, v) -> want.put(k, Double.parseDouble(v)));
                    Map<String, Double> got = new TreeMap<>();
                    stored.forEach((k, v) -> {
                        if (want.containsKey(k)) {
                            got.put(k, Double.parseDouble(v));
                        }
                    });
                    assertEquals(want, got, "every series of poll " + poll + " with its value");
                } finally {
                    pull.destroy();
                    process.destroy();
                    assertTrue(pull.waitFor(20, TimeUnit.SECONDS));
                    assertTrue(process.waitFor(20, TimeUnit.SECONDS));
                }
            }
        } finally {
            if (web2 != null) {
                web2.stop(0);
            }
        }
    }

    /**
     * The series graphite-web renders for {@code target} with a value at {@code ts}, once at least
     * {@code count} of them have one (carbon writes its cache out and sends new series to the tag
     * database within seconds: asked again until then, at most 90 s).
     */
    private static Map<String, String> waitForValues(GraphiteWeb web, String target, long ts, int count)
            throws Exception {
        Map<String, String> values = Map.of();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        do {
            try {
                values = valuesAt(web.render(target, ts - 5, ts + 5), ts);
            } catch (IOException e) {
                values = Map.of(); // asked again: e.g. sqlite busy while carbon adds tags
            }
            if (values.size() >= count) {
                return values;
            }
            Thread.sleep(1000);
        } while (System.nanoTime() < deadline);
        return values;
    }

    /** Series name (tags sorted, as carbon stores them) to its value at {@code ts}, from the render JSON. */
    private static Map<String, String> valuesAt(String json, long ts) {
        Map<String, String> out = new TreeMap<>();
        Matcher t = TARGET.matcher(json);
        List<Integer> starts = new java.util.ArrayList<>();
        List<String> names = new java.util.ArrayList<>();
        while (t.find()) {
            starts.add(t.start());
            names.add(t.group(1));
        }
        for (int i = 0; i < starts.size(); i++) {
            String part = json.substring(starts.get(i), i + 1 < starts.size() ? starts.get(i + 1) : json.length());
            Matcher p = POINT.matcher(part.substring(part.indexOf("\"datapoints\"")));
            while (p.find()) {
                if (p.group(2).equals(Long.toString(ts)) && !p.group(1).equals("null")) {
                    out.put(canonical(names.get(i)), p.group(1));
                }
            }
        }
        return out;
    }

    /** {@code name;b=2;a=1} as {@code name;a=1;b=2}: the form carbon and graphite-web name a series by. */
    private static String canonical(String tagged) {
        String[] parts = tagged.split(";");
        String[] tags = Arrays.copyOfRange(parts, 1, parts.length);
        Arrays.sort(tags);
        return parts[0] + (tags.length == 0 ? "" : ";" + String.join(";", tags));
    }

    private static boolean down(HaproxyInstance h, String rowStart) {
        try {
            return HaproxyInstance.cli(h.socket(), "show stat")
                    .lines()
                    .anyMatch(l -> l.startsWith(rowStart) && l.contains(",DOWN,"));
        } catch (IOException e) {
            return false;
        }
    }

    /** A field of a {@code show stat} row, by the header's name. */
    private static String field(HaproxyInstance h, String proxy, String server, String name) throws IOException {
        List<String> lines =
                HaproxyInstance.cli(h.socket(), "show stat").lines().toList();
        List<String> header = Arrays.asList(lines.get(0).substring(2).split(","));
        for (String l : lines) {
            String[] f = l.split(",", -1);
            if (f.length > 2 && f[0].equals(proxy) && f[1].equals(server)) {
                return f[header.indexOf(name)];
            }
        }
        throw new AssertionError(proxy + "/" + server + " not in show stat");
    }
}
