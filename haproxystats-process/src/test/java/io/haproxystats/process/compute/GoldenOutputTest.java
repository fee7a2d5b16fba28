package io.haproxystats.process.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.config.ProcessConfig;
import io.haproxystats.common.time.Clock;
import io.haproxystats.process.testing.Fixtures;
import io.haproxystats.process.testing.GraphiteLines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The real HAProxy 2.6 captures of fixtures/small give exactly the original's Graphite output
 * (expected.txt), apart from the listed fixes: no 'nan' line for a mean without rows (and the
 * Metrics* counts therefore lower by as many lines), and wall-clock times, which are measured.
 */
class GoldenOutputTest {

    private static final Set<String> TIMINGS = Set.of(
            "WallClockTimeHAProxy",
            "WallClockTimeFrontends",
            "WallClockTimeBackends",
            "WallClockTimeServers",
            "WallClockTimeAllStats",
            "TotalWallClockTime");

    @Test
    void matchesTheOriginalsOutputApartFromTheListedFixes() throws Exception {
        Path fixture = Fixtures.small();
        ProcessConfig config = Fixtures.smallConfig();
        PollComputation computation = new PollComputation(
                config.process(), new MetricPaths(config.graphite(), "lb-01.example.com"), Clock.system());
        StringBuilder produced = new StringBuilder();
        for (String poll : new String[] {"1795224218", "1795224228"}) {
            PollComputation.Result result =
                    computation.compute(poll, Fixtures.files(fixture.resolve(poll)), Set.of(), Set.of());
            assertEquals(List.of(), result.errors());
            produced.append(result.batch().text());
        }
        Map<String, String> actual = GraphiteLines.parse(produced.toString());
        Map<String, String> original = GraphiteLines.parse(Files.readString(fixture.resolve("expected.txt")));

        Map<String, String> expected = new TreeMap<>();
        Map<String, Integer> nanPerCount = new HashMap<>();
        original.forEach((key, value) -> {
            if (!value.equals("nan")) {
                expected.put(key, value);
                return;
            }
            String part = key.contains(".server.") ? "MetricsServer" : "MetricsBackend";
            nanPerCount.merge(part + " " + key.substring(key.indexOf(' ') + 1), 1, Integer::sum);
        });
        assertTrue(
                nanPerCount.values().stream().mapToInt(Integer::intValue).sum() == 80,
                "the fixture has 80 nan lines, the fix drops each");
        expected.replaceAll((key, value) -> {
            String[] pathAndTime = key.split(" ");
            String metric = pathAndTime[0].substring(pathAndTime[0].lastIndexOf('.') + 1);
            Integer dropped = nanPerCount.get(metric + " " + pathAndTime[1]);
            return dropped == null ? value : Long.toString(Long.parseLong(value) - dropped);
        });
        for (String key : expected.keySet().toArray(String[]::new)) {
            String metric = key.split(" ")[0].substring(key.split(" ")[0].lastIndexOf('.') + 1);
            if (TIMINGS.contains(metric)) {
                assertTrue(actual.containsKey(key), "sends " + key);
                assertTrue(Double.parseDouble(actual.get(key)) >= 0, key + " is a duration");
                expected.put(key, actual.get(key));
            }
        }
        GraphiteLines.assertSameValues(expected, actual);
        assertEquals(4110 - 80, actual.size());
    }
}
