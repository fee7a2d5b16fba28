package io.haproxystats.process.compute;

import static io.haproxystats.process.compute.AggregationRulesTest.HEADER;
import static io.haproxystats.process.compute.AggregationRulesTest.P;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.haproxystats.common.spool.PollFiles;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Values at the edges: sums past 2^63 and 2^53, an empty proxy name, a poll name in other digits. */
class EdgeValuesTest {

    @TempDir
    Path tmp;

    private Map<String, String> run(String ini, Map<String, String> files) {
        return AggregationRulesTest.compute(tmp, ini, files, Set.of(), Set.of());
    }

    @Test
    void siteSumsStopAtTheLongRangeInsteadOfWrapping() {
        String max = Long.toString(Long.MAX_VALUE);
        Map<String, String> out = run(
                "",
                Map.of(
                        "a.sock_stat", HEADER + "\nfe,FRONTEND," + max + ",1,,,,,,0,,,,,\n\n",
                        "b.sock_stat", HEADER + "\nfe,FRONTEND," + max + ",1,,,,,,0,,,,,\n\n"));
        assertEquals(max, out.get(P + ".frontend.fe.scur"), "not -2");
    }

    @Test
    void daemonSumsAreExactAbove2To53AndPerProcessValuesToo() {
        // 2^53 + 1 cannot be a double: summed as doubles, the two give 2^54, not 2^54 + 2.
        String info = "Name: HAProxy\nProcess_num: %d\nCumConns: 9007199254740993\nIdle_pct: 50\n\n";
        Map<String, String> out = run(
                "[process]\nper-process-metrics = true\n",
                Map.of("a.sock_info", info.formatted(1), "b.sock_info", info.formatted(2)));
        assertEquals("18014398509481986", out.get(P + ".daemon.CumConns"));
        assertEquals("9007199254740993", out.get(P + ".daemon.process.1.CumConns"));
    }

    @Test
    void anEmptyProxyNameIsOneComponentNotAnEmptyOne() {
        Map<String, String> out = run("", Map.of("a.sock_stat", HEADER + "\n,FRONTEND,3,1,,,,,,0,,,,,\n\n"));
        assertEquals("3", out.get(P + ".frontend._.scur"));
        assertFalse(out.keySet().stream().anyMatch(k -> k.contains("..")), out.toString());
    }

    @Test
    void aPollDirectoryNameIsAsciiDigitsOnly() {
        assertEquals(true, PollFiles.isPollDirectoryName("1700000000"));
        assertEquals(
                false,
                PollFiles.isPollDirectoryName("\u0661\u0667\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660"),
                "Arabic-Indic digits gave lines with the timestamp ??????????");
    }

    @Test
    void socketsLeftOutAsDeadAreCountedOnlyWhenThereAreAny() {
        String stat = HEADER + "\nfe,FRONTEND,3,1,,,,,,0,,,,,\n\n";
        Map<String, String> out = run(
                "",
                Map.of(
                        "a.sock_stat",
                        stat,
                        "b.sock_dead",
                        "unix:///run/b.sock 'show info': cannot connect (2 tries): Connection refused\n",
                        "c.sock_dead",
                        "unix:///run/c.sock 'show info': cannot connect (2 tries): Connection refused\n"));
        assertEquals("2", out.get(P + ".haproxystats.DeadSockets"));
        assertEquals("3", out.get(P + ".frontend.fe.scur"));
        assertFalse(run("", Map.of("a.sock_stat", stat)).containsKey(P + ".haproxystats.DeadSockets"));
    }
}
