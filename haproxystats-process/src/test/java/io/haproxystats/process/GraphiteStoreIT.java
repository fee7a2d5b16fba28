package io.haproxystats.process;

import static io.haproxystats.common.testing.Daemons.PROCESS;
import static io.haproxystats.common.testing.Daemons.PULL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.testing.CarbonCache;
import io.haproxystats.common.testing.Daemons;
import io.haproxystats.common.testing.HaproxyInstance;
import io.haproxystats.common.testing.TestConfig;
import io.haproxystats.common.testing.Wait;
import io.haproxystats.process.compute.PollComputation;
import io.haproxystats.process.testing.Fixtures;
import io.haproxystats.process.testing.GraphiteLines;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relay writing a file proves lines are sent, not that a Graphite stores them: real HAProxy ->
 * both executables -> Debian's carbon-cache writing whisper files. Every path of a poll has a
 * whisper file, and whisper-fetch returns the local-store value for the poll's timestamp, for a
 * poll before and a poll during a carbon restart.
 */
class GraphiteStoreIT {

    @TempDir
    Path tmp;

    @Test
    void everyLineOfAPollIsStoredInWhisperWithItsValueThroughACarbonRestart() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        try (HaproxyInstance a = HaproxyInstance.start(run, "a");
                HaproxyInstance b = HaproxyInstance.start(run, "b");
                CarbonCache carbon = CarbonCache.start(tmp.resolve("carbon"))) {
            Path conf = tmp.resolve("haproxystats.conf");
            Files.writeString(
                    conf,
                    TestConfig.spool(tmp.resolve("spool"), run) + TestConfig.toGraphite(carbon.port(), "lb") + """
                    delay = 1
                    [local-store]
                    dir = ${paths:base-dir}/store
                    """);
            Path store = tmp.resolve("spool/store");
            Process process = Daemons.start(PROCESS, conf, tmp.resolve("process.log"));
            Process pull = Daemons.start(PULL, conf, tmp.resolve("pull.log"));
            try {
                Wait.until(Duration.ofSeconds(30), () -> polls(store).size() >= 2, "2 polls processed");
                String before = polls(store).get(1);
                assertStored(carbon, store, before);

                carbon.stop();
                long stopped = System.currentTimeMillis() / 1000;
                Wait.until(
                        Duration.ofSeconds(30),
                        () -> polls(store).stream().anyMatch(p -> Long.parseLong(p) > stopped + 1),
                        "a poll while carbon is down");
                String during = polls(store).stream()
                        .filter(p -> Long.parseLong(p) > stopped + 1)
                        .findFirst()
                        .orElseThrow();
                carbon.start();
                assertStored(carbon, store, during);
            } finally {
                pull.destroy();
                process.destroy();
                assertTrue(pull.waitFor(20, TimeUnit.SECONDS));
                assertTrue(process.waitFor(20, TimeUnit.SECONDS));
            }
        }
    }

    /**
     * Names carbon cannot read (issue 27, item 5): a line whose load balancer or proxy name holds a
     * Unicode space is split by carbon's {@code str.split()} into four fields and dropped; a
     * 10,000-character name is a whisper file name over 255 bytes. Every line of a poll with such
     * names, sent to a real carbon-cache, lands as a whisper file with its value, and the two long
     * names that differ only in their last character stay two series.
     */
    @Test
    void linesWithUnicodeSpacesFormatCharactersAndLongNamesLandAsWhisperFiles() throws Exception {
        List<String> names = List.of(
                "nbsp\u00a0fe",
                "figure\u2007space",
                "narrow\u202fnbsp",
                "line\u2028sep",
                "ideographic\u3000space",
                "zero\u200bwidth",
                "bom\ufeffname",
                "x".repeat(10_000) + "a",
                "x".repeat(10_000) + "b",
                "é".repeat(5_000));
        StringBuilder stat = new StringBuilder("# pxname,svname,scur,type,\n");
        for (int i = 0; i < names.size(); i++) {
            stat.append(names.get(i)).append(",FRONTEND,").append(i + 1).append(",0,\n");
        }
        stat.append('\n');
        long now = System.currentTimeMillis() / 1000;
        PollComputation.Result r = Fixtures.computation(
                        Files.createDirectories(tmp.resolve("conf")),
                        "[graphite]\nnamespace = lb\nfqdn = false\n",
                        "edge\u00a0one") // the load balancer's name, as a central processor gets it from a key
                .compute(Long.toString(now), Map.of("a.sock_stat", stat.toString()), Set.of(), Set.of());
        assertEquals(List.of(), r.errors());
        Map<String, Double> expected = new TreeMap<>();
        for (GraphiteLines.Line l : GraphiteLines.lines(r.batch().text())) {
            expected.put(l.path(), Double.parseDouble(l.value()));
        }
        List<String> frontends = expected.keySet().stream()
                .filter(p -> p.contains(".frontend.") && p.endsWith(".scur"))
                .toList();
        assertEquals(names.size(), frontends.size(), "one series a name: " + frontends);
        try (CarbonCache carbon = CarbonCache.start(tmp.resolve("carbon"));
                Socket socket = new Socket("127.0.0.1", carbon.port())) {
            socket.getOutputStream().write(r.batch().text().getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            Wait.until(
                    Duration.ofSeconds(60),
                    () -> new HashSet<>(carbonPaths(carbon)).containsAll(expected.keySet()),
                    "a whisper file for each of the " + expected.size() + " lines");
            for (String path : frontends) {
                assertEquals(expected.get(path), carbon.fetch(path, now).orElseThrow(), path);
            }
            Path listenerLog = tmp.resolve("carbon/log/listener.log"); // carbon's log of refused lines
            assertEquals(
                    "",
                    Files.exists(listenerLog)
                            ? Files.readAllLines(listenerLog).stream()
                                    .filter(l -> l.contains("invalid line"))
                                    .collect(Collectors.joining("\n"))
                            : "",
                    "carbon refused no line");
        }
    }

    private static List<String> carbonPaths(CarbonCache carbon) {
        try {
            return carbon.paths();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> polls(Path store) {
        return Fixtures.storedPolls(store);
    }

    /** Every line local-store has for the poll is in whisper with the same value at its timestamp. */
    private static void assertStored(CarbonCache carbon, Path store, String poll) throws Exception {
        Map<String, Double> expected = new TreeMap<>();
        for (GraphiteLines.Line l :
                GraphiteLines.lines(Files.readAllLines(store.resolve(poll).resolve("stats")))) {
            assertEquals(poll, l.timestamp(), l.toString());
            expected.put(l.path(), Double.parseDouble(l.value()));
        }
        assertTrue(expected.size() > 100, "a real poll has hundreds of lines: " + expected.size());
        long timestamp = Long.parseLong(poll);
        List<String> wrong = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        ForkJoinPool pool = new ForkJoinPool(4);
        try {
            do {
                // carbon writes its cache out within a few seconds: look again until all are there.
                wrong = pool.submit(() -> expected.entrySet().parallelStream()
                                .filter(e -> {
                                    OptionalDouble stored = fetch(carbon, e.getKey(), timestamp);
                                    return stored.isEmpty()
                                            || Math.abs(stored.getAsDouble() - e.getValue())
                                                    > 1e-9 * Math.max(1, Math.abs(e.getValue()));
                                })
                                .map(Map.Entry::getKey)
                                .toList())
                        .get();
            } while (!wrong.isEmpty() && System.nanoTime() < deadline && sleep());
        } finally {
            pool.shutdown();
        }
        assertEquals(List.of(), wrong, "paths of poll " + poll + " missing from whisper or with another value");
    }

    private static OptionalDouble fetch(CarbonCache carbon, String path, long timestamp) {
        try {
            return carbon.fetch(path, timestamp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalDouble.empty();
        }
    }

    private static boolean sleep() throws InterruptedException {
        Thread.sleep(2000);
        return true;
    }
}
