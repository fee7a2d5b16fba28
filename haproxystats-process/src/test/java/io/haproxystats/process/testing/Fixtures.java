package io.haproxystats.process.testing;

import io.haproxystats.common.config.ConfigLoader;
import io.haproxystats.common.config.ProcessConfig;
import io.haproxystats.common.testing.Entries;
import io.haproxystats.common.time.ManualClock;
import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.compute.MetricPaths;
import io.haproxystats.process.compute.PollComputation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Test access to the real HAProxy 2.6 captures in the test resources (4 instances, 2 polls, with the
 * Python haproxystats' exact Graphite output for them, expected.txt).
 */
public final class Fixtures {

    private Fixtures() {}

    public static Path small() {
        try {
            return Path.of(Fixtures.class.getResource("/fixtures/small").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ProcessConfig smallConfig() {
        return ProcessConfig.from(ConfigLoader.load(small().resolve("haproxystats.conf"), null));
    }

    /** File name to content for one poll directory. */
    public static Map<String, String> files(Path pollDir) {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(pollDir)) {
            for (Path p : s.toList()) {
                files.put(p.getFileName().toString(), Files.readString(p, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /**
     * A computation configured by {@code ini} (written to {@code dir/test.conf}), for the host
     * {@code hostname}, with a clock that always says 0 (the wall-clock self metrics are 0.000).
     */
    public static PollComputation computation(Path dir, String ini, String hostname) {
        try {
            Path conf = Files.writeString(dir.resolve("test.conf"), ini);
            ProcessConfig config = ProcessConfig.from(ConfigLoader.load(conf, null));
            return new PollComputation(
                    config.process(), new MetricPaths(config.graphite(), hostname), new ManualClock(Instant.EPOCH));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Path to value for every line of a batch (a path sent twice keeps its last value). */
    public static Map<String, String> values(MetricBatch batch) {
        return GraphiteLines.byPath(GraphiteLines.lines(batch.text()));
    }

    /**
     * The polls local-store has written whole under {@code store}, in name order (it makes a poll's
     * directory first, then renames its {@code stats} file in).
     */
    public static List<String> storedPolls(Path store) {
        try {
            return Entries.names(store).stream()
                    .filter(p -> Files.exists(store.resolve(p).resolve("stats")))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
