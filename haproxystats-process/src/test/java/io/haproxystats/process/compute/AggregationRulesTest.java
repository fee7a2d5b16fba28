package io.haproxystats.process.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.process.testing.Fixtures;
import io.haproxystats.process.testing.GraphiteLines;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each aggregation and naming rule of the original (docs/metrics.md) on small hand-written inputs whose results are
 * worked out by hand in the comments. Paths are compared without the timestamp.
 */
class AggregationRulesTest {

    static final String HOST = "lb-01.example.com";
    static final String P = "lb.lb-01_example_com.haproxy";
    /** A short header: parsing is by name, and fields absent from it produce no line. */
    static final String HEADER =
            "# pxname,svname,scur,stot,weight,act,bck,throttle,lbtot,type,qtime,ctime,rtime,ttime,";

    @TempDir
    Path tmp;

    /**
     * The lines of one poll of {@code files} computed with {@code ini} (namespace lb, host HOST),
     * as path to value; no parse error, every line at the poll's timestamp, no path twice.
     */
    static Map<String, String> compute(
            Path tmp, String ini, Map<String, String> files, Set<String> exFe, Set<String> exBe) {
        return lines(Fixtures.computation(tmp, "[graphite]\nnamespace = lb\n" + ini, HOST)
                .compute("1700000000", files, exFe, exBe));
    }

    /** Path to value, in the order sent; every line must have the poll's timestamp. */
    private static Map<String, String> lines(PollComputation.Result result) {
        assertEquals(List.of(), result.errors());
        Map<String, String> out = new LinkedHashMap<>();
        for (GraphiteLines.Line l : GraphiteLines.lines(result.batch().text())) {
            assertEquals("1700000000", l.timestamp(), l.toString());
            assertEquals(null, out.put(l.path(), l.value()), "sent twice: " + l);
        }
        return out;
    }

    static Map<String, String> under(Map<String, String> lines, String prefix) {
        Map<String, String> out = new TreeMap<>();
        lines.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    static String stat(String... rows) {
        return HEADER + "\n" + String.join(",\n", rows) + ",\n\n";
    }

    private Map<String, String> run(String ini, Map<String, String> files, Set<String> exFe, Set<String> exBe)
            throws IOException {
        return compute(tmp, ini, files, exFe, exBe);
    }

    private Map<String, String> run(String ini, Map<String, String> files) throws IOException {
        return run(ini, files, Set.of(), Set.of());
    }

    @Test
    void frontendsAreSummedAcrossInstancesDotsBecomeUnderscoresExcludedOnesAreLeftOut() throws IOException {
        Map<String, String> out = run(
                "",
                Map.of(
                        "a.sock_stat", stat("fe.web,FRONTEND,3,10,,,,,,0,,,,", "fe_api,FRONTEND,1,2,,,,,,0,,,,"),
                        "b.sock_stat", stat("fe.web,FRONTEND,4,5,,,,,,0,,,,")),
                Set.of("fe_api"),
                Set.of());
        assertEquals(Map.of("fe_web.scur", "7", "fe_web.stot", "15"), under(out, P + ".frontend."));
        assertEquals("3", out.get(P + ".haproxystats.MetricsFrontend"), "2 lines + the count line");
    }

    @Test
    void backendsSumMeanAndTimeOnlyOverRowsThatBalancedTraffic() throws IOException {
        // be1: a balanced 5 requests (lbtot 5), b none; timings average over a's row only.
        // be2: no row with lbtot > 0, so no timing line at all (the original sent 'nan').
        Map<String, String> out = run(
                "",
                Map.of(
                        "a.sock_stat",
                                stat("be1,BACKEND,1,10,2,2,0,,5,1,0,1,10,20", "be2,BACKEND,0,1,1,1,0,,0,1,7,7,7,7"),
                        "b.sock_stat", stat("be1,BACKEND,2,6,4,1,1,,0,1,99,99,99,99")));
        assertEquals(
                new TreeMap<>(Map.ofEntries(
                        Map.entry("be1.scur", "3"),
                        Map.entry("be1.stot", "16"),
                        Map.entry("be1.lbtot", "5"),
                        Map.entry("be1.weight", "3"),
                        Map.entry("be1.act", "1.5"),
                        Map.entry("be1.bck", "0.5"),
                        Map.entry("be1.qtime", "0"),
                        Map.entry("be1.ctime", "1"),
                        Map.entry("be1.rtime", "10"),
                        Map.entry("be1.ttime", "20"),
                        Map.entry("be2.scur", "0"),
                        Map.entry("be2.stot", "1"),
                        Map.entry("be2.lbtot", "0"),
                        Map.entry("be2.weight", "1"),
                        Map.entry("be2.act", "1"),
                        Map.entry("be2.bck", "0"))),
                under(out, P + ".backend."));
        assertEquals("17", out.get(P + ".haproxystats.MetricsBackend"));
    }

    @Test
    void serversPerBackendWithTotalServersAndAcrossBackendsWhenAsked() throws IOException {
        String a = stat(
                "be.app,BACKEND,0,0,2,2,0,,0,1,,,,",
                "be.app,s.1,1,4,1,,,0,2,2,0,2,30,40",
                "be.app,s2,0,3,1,,,0,0,2,0,9,9,9",
                "be2,s.1,2,5,3,,,50,1,2,0,4,10,20");
        String b = stat("be.app,s.1,3,6,3,,,10,0,2,5,5,5,5");
        Map<String, String> out =
                run("[process]\naggr-server-metrics = true\n", Map.of("a.sock_stat", a, "b.sock_stat", b));
        Map<String, String> servers = under(out, P + ".backend.be_app.");
        // s.1 in be.app: scur 1+3, stot 4+6, lbtot 2+0, weight (1+3)/2, throttle (0+10)/2; timings from a's row only.
        assertEquals("4", servers.get("server.s_1.scur"));
        assertEquals("10", servers.get("server.s_1.stot"));
        assertEquals("2", servers.get("server.s_1.lbtot"));
        assertEquals("2", servers.get("server.s_1.weight"));
        assertEquals("5", servers.get("server.s_1.throttle"));
        assertEquals("30", servers.get("server.s_1.rtime"));
        assertEquals("2", servers.get("server.s_1.ctime"));
        assertFalse(servers.containsKey("server.s2.rtime"), "s2 never balanced: no timing");
        assertEquals("2", servers.get("TotalServers"), "distinct servers of be.app");
        assertEquals("1", out.get(P + ".backend.be2.TotalServers"));
        // Across backends: s.1 of be.app (a, b) and be2: stot 4+6+5, weight (1+3+3)/3, rtime over lbtot>0 rows (30,
        // 10).
        Map<String, String> across = under(out, P + ".server.s_1.");
        assertEquals("15", across.get("stot"));
        assertEquals(7.0 / 3, Double.parseDouble(across.get("weight")), 1e-12);
        assertEquals("20", across.get("rtime"));
        assertEquals("3", under(out, P + ".server.s2.").get("stot"));
        long serverLines = out.keySet().stream()
                .filter(k -> k.contains(".server.") || k.endsWith(".TotalServers"))
                .count();
        assertEquals(
                Long.toString(serverLines + 1),
                out.get(P + ".haproxystats.MetricsServer"),
                "MetricsServer counts every server line, TotalServers included, plus itself");
    }

    @Test
    void excludedBackendsTakeTheirServersWithThem() throws IOException {
        Map<String, String> out = run(
                "",
                Map.of(
                        "a.sock_stat",
                        stat("be1,BACKEND,1,1,1,1,0,,0,1,,,,", "be1,s1,1,1,1,,,0,0,2,,,,", "be2,s1,1,1,1,,,0,0,2,,,,")),
                Set.of(),
                Set.of("be1"));
        assertTrue(out.keySet().stream().noneMatch(k -> k.contains(".be1.")), out.toString());
        assertEquals("1", out.get(P + ".backend.be2.server.s1.scur"));
    }

    @Test
    void customMetricListsReplaceTheDefaults() throws IOException {
        Map<String, String> out = run(
                """
                [process]
                frontend-metrics = stot
                backend-metrics = scur
                server-metrics = stot
                """,
                Map.of(
                        "a.sock_stat",
                        stat(
                                "fe,FRONTEND,3,10,,,,,,0,,,,",
                                "be,BACKEND,5,9,1,1,0,,0,1,,,,",
                                "be,s1,2,7,1,,,0,0,2,,,,")));
        assertEquals(Map.of("fe.stot", "10"), under(out, P + ".frontend."));
        // The means (act bck weight, timings) are not part of the configurable list.
        assertEquals(
                Set.of(
                        "be.scur",
                        "be.weight",
                        "be.act",
                        "be.bck",
                        "be.server.s1.stot",
                        "be.server.s1.weight",
                        "be.server.s1.throttle",
                        "be.TotalServers"),
                under(out, P + ".backend.").keySet());
    }

    @Test
    void groupsPrefixMatchingNamesFirstMatchWinsServersFollowTheirBackend() throws IOException {
        String ini = """
                group-namespace = flavor
                group-namespace-double-writes = %s
                [frontend-groups]
                abc = ^foo-
                xyz = ^foo-b
                [backend-groups]
                pool = ^be_
                [server-groups]
                web = ^web
                [process]
                frontend-metrics = stot
                backend-metrics = stot
                server-metrics = stot
                aggr-server-metrics = true
                """;
        Map<String, String> files = Map.of(
                "a.sock_stat",
                stat(
                        "foo-bar,FRONTEND,0,1,,,,,,0,,,,",
                        "other,FRONTEND,0,2,,,,,,0,,,,",
                        "be_x,web1,0,3,1,,,0,0,2,,,,"));
        Set<String> single = run(ini.formatted("false"), files).keySet();
        assertTrue(single.contains(P + ".flavor.abc.frontend.foo-bar.stot"), "first matching pattern: " + single);
        assertTrue(single.contains(P + ".frontend.other.stot"), "no group: plain path");
        assertFalse(single.contains(P + ".frontend.foo-bar.stot"), "without double writes, grouped only");
        assertTrue(single.contains(P + ".flavor.pool.backend.be_x.server.web1.stot"));
        assertTrue(single.contains(P + ".flavor.pool.backend.be_x.TotalServers"));
        assertTrue(single.contains(P + ".flavor.web.server.web1.stot"));

        Set<String> both = run(ini.formatted("true"), files).keySet();
        assertTrue(
                both.containsAll(List.of(
                        P + ".flavor.abc.frontend.foo-bar.stot",
                        P + ".frontend.foo-bar.stot",
                        P + ".flavor.pool.backend.be_x.server.web1.stot",
                        P + ".backend.be_x.server.web1.stot",
                        P + ".flavor.web.server.web1.stot",
                        P + ".server.web1.stot")),
                both.toString());
    }

    static String info(int processNum, int idle, int currConns, int maxconn, long uptime) {
        return "Name: HAProxy\nVersion: 2.6.12\nProcess_num: %d\nIdle_pct: %d\nCurrConns: %d\nMaxconn: %d\nConnRate: 5\n"
                        .formatted(processNum, idle, currConns, maxconn)
                + "ConnRateLimit: 0\nUptime_sec: " + uptime + "\nUptime: 0d 0h00m01s\n\n";
    }

    @Test
    void daemonSumsMeansCpuSpreadAndPercentages() throws IOException {
        Map<String, String> out = run(
                "[process]\ncalculate-percentages = true\n",
                Map.of(
                        "a.sock_info",
                        info(1, 90, 1, 100, 10),
                        "b.sock_info",
                        info(2, 80, 2, 100, 20),
                        "c.sock_info",
                        info(3, 50, 3, 100, 60)));
        Map<String, String> d = under(out, P + ".daemon.");
        assertEquals("6", d.get("CurrConns"));
        assertEquals("300", d.get("Maxconn"));
        assertEquals("15", d.get("ConnRate"));
        assertEquals("30", d.get("Uptime_sec"), "mean");
        assertEquals(220.0 / 3, Double.parseDouble(d.get("Idle_pct")), 1e-12);
        // CpuUsagePct = 10, 20, 50; nearest rank at q*(n-1) rounded half to even: 0.5->0, 1->1, 1.5->2, 1.9->2.
        assertEquals("10", d.get("25PercentileCpuUsagePct"));
        assertEquals("20", d.get("50PercentileCpuUsagePct"));
        assertEquals("50", d.get("75PercentileCpuUsagePct"));
        assertEquals("50", d.get("95PercentileCpuUsagePct"));
        assertEquals("50", d.get("99PercentileCpuUsagePct"));
        assertEquals(Math.sqrt(1300.0 / 3), Double.parseDouble(d.get("StdCpuUsagePct")), 1e-12, "sample std");
        assertEquals("2", d.get("ConnPercentage"), "int(100 * 6 / 300)");
        assertEquals("0", d.get("ConnRatePercentage"), "limit 0 gives 0");
        assertFalse(d.containsKey("SslConnPercentage"), "fields absent from show info: no line");
        assertFalse(d.containsKey("Version"), "non-integer values are dropped");
        assertEquals(Integer.toString(d.size() + 1), out.get(P + ".haproxystats.MetricsHAProxy"));
    }

    @Test
    void perProcessSeriesUseProcessNumOrTheSocketNameWhenNumbersRepeat() throws IOException {
        String ini = "[process]\nper-process-metrics = true\ncalculate-percentages = true\n";
        Map<String, String> distinct =
                run(ini, Map.of("a.sock_info", info(1, 90, 1, 100, 10), "b.sock_info", info(2, 80, 2, 50, 20)));
        assertEquals("10", distinct.get(P + ".daemon.process.1.CpuUsagePct"));
        assertEquals("2", distinct.get(P + ".daemon.process.2.CurrConns"));
        assertEquals("4", distinct.get(P + ".daemon.process.2.ConnPercentage"));
        // Two HAProxy >= 2.5 instances both say Process_num 1: keyed by socket name instead of colliding.
        Map<String, String> same =
                run(ini, Map.of("a.sock_info", info(1, 90, 1, 100, 10), "127.0.0.1:9001_info", info(1, 80, 2, 50, 20)));
        assertEquals("1", same.get(P + ".daemon.process.a_sock.CurrConns"));
        assertEquals("2", same.get(P + ".daemon.process.127_0_0_1:9001.CurrConns"));
        assertTrue(same.keySet().stream().noneMatch(k -> k.contains(".process.1.")));
    }

    @Test
    void oneInstanceHasNoCpuSpread() throws IOException {
        Map<String, String> out = run("", Map.of("a.sock_info", info(1, 75, 1, 100, 10)));
        assertEquals("75", out.get(P + ".daemon.Idle_pct"));
        assertTrue(
                out.keySet().stream().noneMatch(k -> k.contains("Percentile") || k.contains("StdCpu")), out.toString());
    }

    @Test
    void theHostnamePrefixFollowsFqdnAndPrefixHostname() throws IOException {
        Map<String, String> files = Map.of("a.sock_stat", stat("fe,FRONTEND,1,1,,,,,,0,,,,"));
        assertTrue(run("", files).containsKey("lb.lb-01_example_com.haproxy.frontend.fe.scur"));
        assertTrue(run("fqdn = false\n", files).containsKey("lb.lb-01.haproxy.frontend.fe.scur"));
        assertTrue(run("prefix-hostname = false\n", files).containsKey("lb.haproxy.frontend.fe.scur"));
    }

    @Test
    void emptyFilesAndPollsWithOnlyOneKindOfFileAreNotErrors() throws IOException {
        Map<String, String> onlyInfo = run("", Map.of("a.sock_info", info(1, 75, 1, 100, 10), "a.sock_stat", ""));
        assertTrue(onlyInfo.containsKey(P + ".haproxystats.MetricsHAProxy"));
        assertFalse(onlyInfo.containsKey(P + ".haproxystats.MetricsFrontend"), "no stat data: no site part");

        Map<String, String> onlyStat =
                run("", Map.of("a.sock_stat", stat("fe,FRONTEND,1,1,,,,,,0,,,,"), "a.sock_info", ""));
        assertEquals("1", onlyStat.get(P + ".frontend.fe.scur"));
        assertFalse(
                onlyStat.containsKey(P + ".haproxystats.MetricsHAProxy"), "an empty info file gives no daemon part");

        Map<String, String> nothing = run("", Map.of());
        assertEquals(
                Set.of(P + ".haproxystats.WallClockTimeAllStats", P + ".haproxystats.TotalWallClockTime"),
                nothing.keySet());
    }

    @Test
    void stateMetricsCountEachStateSummedOverProcessesOnlyWhenAsked() throws IOException {
        String header = "# pxname,svname,status,stot,type,";
        String a = header + "\nfe,FRONTEND,OPEN,1,0,\nbe.x,s1,UP,1,2,\nbe.x,s2,MAINT(via),1,2,\nbe.x,s3,no check,1,2,"
                + "\nbe.x,BACKEND,UP,3,1,\n\n";
        String b = header
                + "\nfe,FRONTEND,STOP,1,0,\nbe.x,s1,DOWN 1/2,1,2,\nbe.x,s2,DRAIN (agent),1,2,\nbe.x,s3,UP 2/3,1,2,"
                + "\nbe.x,BACKEND,DOWN,3,1,\n\n";
        Map<String, String> files = Map.of("a.sock_stat", a, "b.sock_stat", b);
        Map<String, String> on = run("[process]\nstate-metrics = true\naggr-server-metrics = true\n", files);
        assertEquals(Map.of("status.OPEN", "1", "status.STOP", "1", "stot", "2"), under(on, P + ".frontend.fe."));
        Map<String, String> s1 = under(on, P + ".backend.be_x.server.s1.status.");
        assertEquals(
                Map.of("UP", "1", "DOWN", "1", "NOLB", "0", "DRAIN", "0", "MAINT", "0"), s1, "UP in a, DOWN 1/2 in b");
        assertEquals("1", on.get(P + ".backend.be_x.server.s2.status.MAINT"), "MAINT(via)");
        assertEquals("1", on.get(P + ".backend.be_x.server.s2.status.DRAIN"), "DRAIN (agent)");
        assertEquals("2", on.get(P + ".backend.be_x.server.s3.status.UP"), "no check and UP 2/3 are UP");
        assertEquals(
                Map.of("UP", "3", "DOWN", "1", "NOLB", "0", "DRAIN", "1", "MAINT", "1"),
                under(on, P + ".backend.be_x.servers."),
                "server rows per state across both processes");
        assertEquals("1", on.get(P + ".backend.be_x.status.UP"));
        assertEquals("1", on.get(P + ".backend.be_x.status.DOWN"));
        assertEquals("1", on.get(P + ".server.s1.status.DOWN"), "servers across backends too");
        long serverPart = on.keySet().stream()
                .filter(k -> k.contains(".server.") || k.endsWith(".TotalServers") || k.contains(".servers."))
                .count();
        assertEquals(Long.toString(serverPart + 1), on.get(P + ".haproxystats.MetricsServer"), "counted in their part");

        Map<String, String> off = run("", files);
        assertTrue(
                off.keySet().stream().noneMatch(k -> k.contains(".status.") || k.contains(".servers.")),
                "off by default: no new series for upgraders");
    }

    @Test
    void numbersPrintAsIntegersWhenIntegralAndShortestFormOtherwise() throws IOException {
        Map<String, String> out = run(
                "",
                Map.of(
                        "a.sock_stat",
                        stat("be,BACKEND,0,0,1,1,0,,0,1,,,,"),
                        "b.sock_stat",
                        stat("be,BACKEND,0,0,2,0,0,,0,1,,,,"),
                        "c.sock_stat",
                        stat("be,BACKEND,0,0,2,0,0,,0,1,,,,")));
        assertEquals("0.3333333333333333", out.get(P + ".backend.be.act"));
        assertEquals("1.6666666666666667", out.get(P + ".backend.be.weight"));
        assertEquals("0", out.get(P + ".backend.be.bck"));
    }

    /** The newer fields, listed in the options, are aggregated by their nature, not all summed. */
    @Test
    void listedFieldsAreAggregatedByTheirNatureMaximaOfTimesAgesAndModuleCounters() throws IOException {
        String header = "# pxname,svname,scur,lbtot,type,rtime,rtime_max,lastsess,weight,idle_conn_cur,-,"
                + "h2_open_connections,ssl_sess,";
        // Two instances. be: rtime_max 40 and 25 -> max 40; lastsess 9 and 3 -> the most recent, 3;
        // rtime 10 (lbtot 5) and 30 (lbtot 0: no traffic) -> 10; weight 1 and 2 -> mean 1.5;
        // idle_conn_cur 4 + 6 = 10. Frontend module counters: h2_open_connections 2 + 5, ssl_sess 7 + 1.
        String a = header + "\nfe,FRONTEND,1,,0,,,,,,-,2,7,\nbe,BACKEND,1,5,1,10,40,9,1,4,-,,,\n\n";
        String b = header + "\nfe,FRONTEND,2,,0,,,,,,-,5,1,\nbe,BACKEND,3,0,1,30,25,3,2,6,-,,,\n\n";
        Map<String, String> out = run(
                "[process]\nfrontend-metrics = scur h2_open_connections ssl_sess\n"
                        + "backend-metrics = scur rtime_max lastsess rtime weight idle_conn_cur\n",
                Map.of("a.sock_stat", a, "b.sock_stat", b));
        assertEquals(Map.of("scur", "3", "h2_open_connections", "7", "ssl_sess", "8"), under(out, P + ".frontend.fe."));
        Map<String, String> be = under(out, P + ".backend.be.");
        assertEquals("40", be.get("rtime_max"), "max, not 65");
        assertEquals("3", be.get("lastsess"), "the most recent, not 12");
        assertEquals("10", be.get("rtime"), "mean over rows with traffic");
        assertEquals("1.5", be.get("weight"), "mean");
        assertEquals("10", be.get("idle_conn_cur"), "gauges are summed");
        assertEquals("4", be.get("scur"));
        // The fixed means still follow the listed fields: act and bck are absent from this header.
        assertEquals(Set.of("scur", "rtime_max", "lastsess", "rtime", "weight", "idle_conn_cur"), be.keySet());
    }
}
