package io.haproxystats.process.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.logs.LogTimers;
import io.haproxystats.common.logs.LogTimersFile;
import io.haproxystats.common.logs.Timer;
import io.haproxystats.common.logs.TimerStats;
import io.haproxystats.process.testing.Fixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A poll's {@code log_timers} becomes {@code .timers.<timer>.<pNN>/max/count/aborted} lines under
 * each frontend, backend and server's path, sanitised and excluded as every other path, with the
 * self metrics LogLinesDropped and LogLinesUnparsed; a poll without the file has none of them.
 */
class TimerLinesTest {

    @TempDir
    Path tmp;

    private PollComputation computation(String extra) {
        return Fixtures.computation(tmp, """
                [graphite]
                namespace = hs
                prefix-hostname = false
                """ + extra, "lb-01");
    }

    private static LogTimers sample() {
        LogTimers t = new LogTimers();
        t.addCounters(new LogTimers.Counters(1_013, 1_010, 2, 1, 7));
        for (int v = 1; v <= 1_000; v++) {
            for (LogTimers.Series s : List.of(
                    LogTimers.Series.frontend("fe.main"),
                    LogTimers.Series.backend("be:app"),
                    LogTimers.Series.server("be:app", "web.1"),
                    LogTimers.Series.backend("be_hidden"),
                    LogTimers.Series.server("be_hidden", "h1"))) {
                t.stats(s, Timer.Tr).record(v);
                t.stats(s, Timer.Tc).record(v % 100 == 0 ? -1 : 0);
                t.stats(s, Timer.TR).record(-1);
            }
        }
        return t;
    }

    @Test
    void linesUnderEachProxysPathWithinTheSketchError() {
        PollComputation.Result r = computation("[logs]\npercentiles = 50,99.9\n")
                .compute(
                        "1700000000",
                        Map.of("log_timers", LogTimersFile.format(sample())),
                        Set.of(),
                        Set.of("be_hidden"));
        assertEquals(List.of(), r.errors());
        Map<String, String> values = new TreeMap<>(Fixtures.values(r.batch()));
        for (String base : List.of(
                "hs.haproxy.frontend.fe_main", "hs.haproxy.backend.be:app", "hs.haproxy.backend.be:app.server.web_1")) {
            String tr = base + ".timers.Tr.";
            assertEquals(500, Double.parseDouble(values.get(tr + "p50")), 500 * TimerStats.RELATIVE_ACCURACY, tr);
            assertEquals(999, Double.parseDouble(values.get(tr + "p999")), 999 * TimerStats.RELATIVE_ACCURACY, tr);
            assertEquals("1000", values.get(tr + "max"));
            assertEquals("1000", values.get(tr + "count"));
            assertEquals("0", values.get(tr + "aborted"));
            assertEquals("990", values.get(base + ".timers.Tc.count"));
            assertEquals("10", values.get(base + ".timers.Tc.aborted"));
            assertEquals("0", values.get(base + ".timers.Tc.max"));
            assertEquals("0", values.get(base + ".timers.TR.count"), "a timer no request set: count and aborted only");
            assertEquals("1000", values.get(base + ".timers.TR.aborted"));
            assertFalse(values.containsKey(base + ".timers.TR.p50"));
            assertFalse(values.containsKey(base + ".timers.Tr.p90"), "only the configured percentiles");
        }
        assertTrue(
                values.keySet().stream().noneMatch(k -> k.contains("be_hidden")), "an excluded backend, servers too");
        assertEquals("7", values.get("hs.haproxy.haproxystats.LogLinesDropped"));
        assertEquals("2", values.get("hs.haproxy.haproxystats.LogLinesUnparsed"));
        // 3 series x (Tr: 2 percentiles + max + count + aborted, Tc: the same, TR: count + aborted) = 36, and the count
        // line.
        assertEquals("37", values.get("hs.haproxy.haproxystats.MetricsTimers"));
    }

    @Test
    void namesThatAreOnePathOnceSanitisedAreOneSeries() {
        LogTimers t = new LogTimers();
        t.stats(LogTimers.Series.backend("be.app"), Timer.Tr).record(10);
        t.stats(LogTimers.Series.backend("be_app"), Timer.Tr).record(30);
        t.stats(LogTimers.Series.server("be.app", "web.1"), Timer.Tr).record(10);
        t.stats(LogTimers.Series.server("be_app", "web_1"), Timer.Tr).record(30);
        PollComputation.Result r = computation("")
                .compute("1700000000", Map.of("log_timers", LogTimersFile.format(t)), Set.of(), Set.of());
        List<String> lines = r.batch().text().lines().toList();
        assertEquals(
                lines.size(),
                lines.stream().map(l -> l.split(" ")[0]).distinct().count(),
                "no path twice: " + lines);
        Map<String, String> values = Fixtures.values(r.batch());
        assertEquals("2", values.get("hs.haproxy.backend.be_app.timers.Tr.count"));
        assertEquals("2", values.get("hs.haproxy.backend.be_app.server.web_1.timers.Tr.count"));
        assertEquals("30", values.get("hs.haproxy.backend.be_app.server.web_1.timers.Tr.max"));
        assertEquals(2, r.timers().get("backend.be_app.timers.Tr").count());
    }

    @Test
    void theDefaultPercentilesAndGroupNamespacesAsEveryOtherPath() {
        PollComputation.Result r = computation("""
                        group-namespace = grp
                        group-namespace-double-writes = true
                        [backend-groups]
                        apps = ^be
                        """)
                .compute("1700000000", Map.of("log_timers", LogTimersFile.format(sample())), Set.of(), Set.of());
        Map<String, String> values = Fixtures.values(r.batch());
        for (String p : List.of("p50", "p90", "p99", "p999", "max", "count")) {
            assertTrue(values.containsKey("hs.haproxy.backend.be:app.timers.Tr." + p), p + " in " + values.keySet());
            assertTrue(values.containsKey("hs.haproxy.grp.apps.backend.be:app.server.web_1.timers.Tr." + p), p);
        }
    }

    @Test
    void aPollWithoutTheFileHasNoneOfTheseLinesAndABadFileIsAnErrorNamingTheLine() throws Exception {
        Path fixture = Fixtures.small();
        Map<String, String> files = Fixtures.files(fixture.resolve("1795224218"));
        PollComputation c = computation("");
        String without =
                c.compute("1795224218", files, Set.of(), Set.of()).batch().text();
        assertFalse(without.contains(".timers.") || without.contains("LogLines"), "unchanged without the file");
        Map<String, String> bad = new TreeMap<>(files);
        bad.put(
                "log_timers",
                "haproxystats-log-timers 1\ncounters lines=1 parsed=1 unparsed=0 other=0 dropped=0\n"
                        + "frontend fe\u00e9 Tr 1 0 1 1 x\n");
        PollComputation.Result r = c.compute("1795224218", bad, Set.of(), Set.of());
        assertEquals(List.of("log_timers line 3: 'fe\u00e9' is not an HAProxy name (A-Z a-z 0-9 - _ . :)"), r.errors());
        assertFalse(r.batch().text().contains(".timers."));
    }
}
