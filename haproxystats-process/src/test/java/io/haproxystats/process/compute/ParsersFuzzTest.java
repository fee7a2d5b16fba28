package io.haproxystats.process.compute;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.haproxystats.common.config.ConfigLoader;
import io.haproxystats.common.config.ConfigurationException;
import io.haproxystats.common.config.ProcessConfig;
import io.haproxystats.common.config.PullSettings;
import io.haproxystats.common.haproxy.ServersStateAnswer;
import io.haproxystats.process.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Coverage-guided fuzzing (Jazzer) of everything that reads outside input: the {@code show info},
 * {@code show stat} and {@code show servers state} parsers with the aggregation and formatting
 * behind them, the puller's {@code log_timers} file (fed the {@code show stat} target's bytes too:
 * the target numbers of the seed corpus stay as they were), and the configuration loader. One fuzz test drives all four (the first input byte
 * picks the target) because Jazzer fuzzes one test per JVM.
 *
 * <p>The property: a parser returns or fails with its own named error (ParseException reported in
 * the result, MalformedException, ConfigurationException); any other exception is a crash. Every
 * line produced is one well-formed Graphite line, whatever the input (no injection).
 *
 * <p>In the test command it runs twice: over the seed corpus ({@code ParsersFuzzTestInputs}: real
 * captures and every crash found, as regression tests) with the unit tests, and fuzzing for a
 * bounded time in its own execution (pom: {@code fuzz}). docs/reliability.md has the longer run.
 */
class ParsersFuzzTest {

    private static final Pattern LINE = Pattern.compile("[^ \\n]+ [0-9.eE+-]+ 1700000000");
    private static final PollComputation COMPUTATION = computation();

    private static PollComputation computation() {
        try {
            Path dir = Files.createTempDirectory("fuzz");
            dir.toFile().deleteOnExit();
            return Fixtures.computation(
                    dir,
                    "[graphite]\nnamespace = lb\n[process]\nstate-metrics = true\n"
                            + "per-process-metrics = true\ncalculate-percentages = true\naggr-server-metrics = true\n",
                    "h");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void parsers(FuzzedDataProvider data) throws IOException {
        int target = data.consumeInt(0, 3); // from the input's last byte
        byte[] bytes = data.consumeRemainingAsBytes();
        String text = new String(bytes, StandardCharsets.UTF_8); // as PollHandler reads a poll file
        switch (target) {
            case 0 ->
                lines(Map.of("a.sock_info", text, "b.sock_info", "Name: HAProxy\nProcess_num: 1\nIdle_pct: 50\n"));
            case 1 -> lines(Map.of("a.sock_stat", text, "log_timers", text)); // both read the same bytes
            case 2 -> {
                try {
                    ServersStateAnswer.parse(text);
                } catch (ServersStateAnswer.MalformedException e) {
                    assertTrue(e.getMessage() != null && !e.getMessage().contains("\n"), e.getMessage());
                }
                lines(Map.of("a.sock_servers_state", text));
            }
            default -> config(bytes);
        }
    }

    private static void lines(Map<String, String> files) {
        PollComputation.Result r = COMPUTATION.compute("1700000000", files, Set.of(), Set.of());
        for (String error : r.errors()) {
            assertTrue(
                    (error.startsWith("a.sock_") || error.startsWith("log_timers")) && !error.contains("\n"),
                    "an error names its file, one line: " + error);
        }
        String text = r.batch().text();
        List<String> lines = text.isEmpty() ? List.of() : List.of(text.split("\n", -1));
        Set<String> paths = new HashSet<>();
        for (int i = 0; i < lines.size() - 1; i++) {
            assertTrue(LINE.matcher(lines.get(i)).matches(), "malformed line: " + lines.get(i));
            String path = lines.get(i).substring(0, lines.get(i).indexOf(' '));
            assertTrue(paths.add(path), "a path sent twice in one poll: " + lines.get(i));
        }
    }

    private static void config(byte[] bytes) throws IOException {
        Path conf = Files.createTempFile("fuzz", ".conf");
        try {
            Files.write(conf, bytes);
            try {
                PullSettings.from(ConfigLoader.load(conf, null));
            } catch (ConfigurationException e) {
                assertTrue(!e.getMessage().isBlank(), "named error");
            }
            try {
                ProcessConfig.from(ConfigLoader.load(conf, null));
            } catch (ConfigurationException e) {
                assertTrue(!e.getMessage().isBlank(), "named error");
            }
        } finally {
            Files.deleteIfExists(conf);
        }
    }
}
