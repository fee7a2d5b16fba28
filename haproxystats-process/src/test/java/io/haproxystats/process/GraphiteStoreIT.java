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
import io.haproxystats.process.testing.Fixtures;
import io.haproxystats.process.testing.GraphiteLines;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
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
