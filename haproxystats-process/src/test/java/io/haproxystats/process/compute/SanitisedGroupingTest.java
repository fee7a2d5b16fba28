package io.haproxystats.process.compute;

import static io.haproxystats.process.compute.AggregationRulesTest.P;
import static io.haproxystats.process.compute.AggregationRulesTest.info;
import static io.haproxystats.process.compute.AggregationRulesTest.stat;
import static io.haproxystats.process.compute.AggregationRulesTest.under;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names that meet after sanitising ({@code legacy.app} and {@code legacy_app}, {@code www example
 * com}) are one group, as in the original, which groups after replacing {@code .}; and servers
 * aggregated across backends take every backend's rows with the default lists. Every result is
 * worked out by hand in the comments; {@link AggregationRulesTest#compute} fails on a path sent twice.
 */
class SanitisedGroupingTest {

    @TempDir
    Path tmp;

    private Map<String, String> run(String ini, Map<String, String> files, Set<String> exFe, Set<String> exBe) {
        return AggregationRulesTest.compute(tmp, ini, files, exFe, exBe);
    }

    private Map<String, String> run(String ini, Map<String, String> files) {
        return run(ini, files, Set.of(), Set.of());
    }

    @Test
    void backendsWhoseNamesMeetAreOneGroupInOneProcessAndAcrossProcesses() {
        // scur,stot,weight,act,bck,throttle,lbtot,type,qtime,ctime,rtime,ttime
        Map<String, String> out = run(
                "",
                Map.of(
                        "a.sock_stat",
                                stat(
                                        "legacy.app,BACKEND,1,10,2,2,0,,4,1,2,4,6,8",
                                        "legacy_app,BACKEND,2,20,4,1,1,,0,1,100,100,100,100"),
                        "b.sock_stat", stat("legacy.app,BACKEND,3,30,6,3,0,,2,1,4,6,8,10")));
        // Sums over the three rows; means of weight/act/bck over three rows; timings over the two
        // rows with lbtot > 0 (the legacy_app row balanced nothing).
        assertEquals(
                new TreeMap<>(Map.ofEntries(
                        Map.entry("scur", "6"),
                        Map.entry("stot", "60"),
                        Map.entry("lbtot", "6"),
                        Map.entry("weight", "4"),
                        Map.entry("act", "2"),
                        Map.entry("bck", "0.3333333333333333"),
                        Map.entry("qtime", "3"),
                        Map.entry("ctime", "5"),
                        Map.entry("rtime", "7"),
                        Map.entry("ttime", "9"))),
                under(out, P + ".backend.legacy_app."));
        assertEquals("11", out.get(P + ".haproxystats.MetricsBackend"), "10 lines of one backend + the count line");
    }

    @Test
    void frontendsMeetAfterEveryReplacementNotOnlyTheDot() {
        Map<String, String> out = run(
                "",
                Map.of(
                        "a.sock_stat",
                                stat(
                                        "www.example.com,FRONTEND,1,10,,,,,,0,,,,",
                                        "www_example_com,FRONTEND,2,20,,,,,,0,,,,"),
                        "b.sock_stat", stat("\"www example com\",FRONTEND,3,30,,,,,,0,,,,")));
        assertEquals(Map.of("www_example_com.scur", "6", "www_example_com.stot", "60"), under(out, P + ".frontend."));
    }

    @Test
    void serversWhoseNamesMeetAreOneServerAndTotalServersCountsSanitisedNames() {
        // be: s1.pool (a), s1_pool (a), s1.pool (b), s2 (a): two distinct sanitised servers.
        Map<String, String> out = run(
                "[process]\naggr-server-metrics = true\n",
                Map.of(
                        "a.sock_stat",
                                stat(
                                        "be,s1.pool,1,4,1,,,0,2,2,0,2,30,40",
                                        "be,s1_pool,2,5,3,,,30,0,2,9,9,9,9",
                                        "be,s2,1,1,1,,,0,0,2,,,,"),
                        "b.sock_stat", stat("be,s1.pool,3,6,5,,,60,1,2,0,4,60,80")));
        Map<String, String> s1 = under(out, P + ".backend.be.server.s1_pool.");
        assertEquals("6", s1.get("scur"), "1 + 2 + 3");
        assertEquals("15", s1.get("stot"), "4 + 5 + 6");
        assertEquals("3", s1.get("weight"), "(1 + 3 + 5) / 3");
        assertEquals("30", s1.get("throttle"), "(0 + 30 + 60) / 3");
        assertEquals("45", s1.get("rtime"), "(30 + 60) / 2: the rows with lbtot > 0");
        assertEquals("2", out.get(P + ".backend.be.TotalServers"));
        // Across backends the same three rows meet under one name.
        assertEquals("15", out.get(P + ".server.s1_pool.stot"));
        assertEquals("45", out.get(P + ".server.s1_pool.rtime"));
    }

    @Test
    void groupsAndDoubleWritesSeeOneGroupPerSanitisedName() {
        String ini = """
                group-namespace = flavor
                group-namespace-double-writes = true
                [backend-groups]
                old = ^legacy_
                [process]
                backend-metrics = stot
                """;
        Map<String, String> out = run(
                ini,
                Map.of(
                        "a.sock_stat",
                        stat("legacy.app,BACKEND,1,10,2,2,0,,0,1,,,,", "legacy_app,BACKEND,1,5,2,2,0,,0,1,,,,")));
        assertEquals("15", out.get(P + ".flavor.old.backend.legacy_app.stot"));
        assertEquals("15", out.get(P + ".backend.legacy_app.stot"));
    }

    @Test
    void anExcludeLineInDottedFormExcludesEveryNameThatMeetsIt() {
        Map<String, String> out = run(
                "",
                Map.of(
                        "a.sock_stat",
                        stat(
                                "legacy.app,BACKEND,1,10,2,2,0,,0,1,,,,",
                                "legacy_app,s1,1,1,1,,,0,0,2,,,,",
                                "fe_x,FRONTEND,1,1,,,,,,0,,,,",
                                "keep,BACKEND,1,1,1,1,0,,0,1,,,,")),
                Set.of("fe.x"),
                Set.of("legacy.app"));
        assertTrue(out.keySet().stream().noneMatch(k -> k.contains("legacy") || k.contains("fe_x")), out.toString());
        assertEquals("1", out.get(P + ".backend.keep.stot"));
    }

    @Test
    void perProcessSeriesOfSocketsWhoseNamesMeetAreKeptApart() {
        // Both say Process_num 1, so the series are keyed by socket name; a.sock and a_sock meet.
        Map<String, String> out = run(
                "[process]\nper-process-metrics = true\n",
                Map.of("a.sock_info", info(1, 90, 1, 100, 10), "a_sock_info", info(1, 80, 2, 50, 20)));
        assertEquals("1", out.get(P + ".daemon.process.a_sock.CurrConns"));
        assertEquals("2", out.get(P + ".daemon.process.a_sock_2.CurrConns"));
    }

    @Test
    void serversAcrossBackendsTakeExcludedBackendsAndTheDefaultListsWhateverServerMetricsSays() {
        // server-metrics = scur only, be1 excluded. Per backend: only be2's s1, with scur and the
        // fixed means. Across backends: s1 of be1 and be2, with the default lists (stot, lbtot...).
        Map<String, String> out = run(
                "[process]\naggr-server-metrics = true\nserver-metrics = scur\n",
                Map.of("a.sock_stat", stat("be1,s1,1,10,2,,,0,4,2,0,2,30,40", "be2,s1,2,20,4,,,10,0,2,9,9,9,9")),
                Set.of(),
                Set.of("be1"));
        assertEquals(
                Set.of("scur", "weight", "throttle"),
                under(out, P + ".backend.be2.server.s1.").keySet());
        assertTrue(out.keySet().stream().noneMatch(k -> k.contains(".be1.")), out.toString());
        Map<String, String> across = under(out, P + ".server.s1.");
        assertEquals("3", across.get("scur"), "1 + 2, the excluded backend's row included");
        assertEquals("30", across.get("stot"), "a default field not in server-metrics");
        assertEquals("4", across.get("lbtot"));
        assertEquals("3", across.get("weight"), "(2 + 4) / 2");
        assertEquals("5", across.get("throttle"), "(0 + 10) / 2");
        assertEquals("30", across.get("rtime"), "the excluded backend's row is the only one with lbtot > 0");
        assertFalse(across.containsKey("hrsp_1xx"), "fields absent from the header give no line");
    }
}
