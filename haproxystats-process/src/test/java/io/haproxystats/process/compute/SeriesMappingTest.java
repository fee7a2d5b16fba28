package io.haproxystats.process.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.config.ConfigLoader;
import io.haproxystats.common.config.ProcessConfig;
import io.haproxystats.process.testing.Fixtures;
import io.haproxystats.process.testing.GraphiteLines;
import io.haproxystats.process.testing.HostileNames;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dotted path → tagged series table (docs/metrics.md, "Tagged series"): every kind of path the
 * processor forms has its row; a real poll's every line maps, no two paths to one series; hostile
 * names never break a tag; the tagged batch keeps every value and timestamp.
 */
class SeriesMappingTest {

    /** {@code name(;key=value)*}: no tag value with ; = ~ ! ^ or whitespace, none empty. */
    static final Pattern TAGGED = Pattern.compile("[^;\\s]+(;[a-z_]+=[^;=~!^\\s]+)+");

    @TempDir
    Path tmp;

    private SeriesMapping mapping(String ini) throws Exception {
        Path conf = Files.writeString(tmp.resolve("m.conf"), ini);
        return new SeriesMapping(
                ProcessConfig.from(ConfigLoader.load(conf, null)).graphite());
    }

    private static final String GROUPS = """
            [graphite]
            namespace = loadbalancers.eu
            group-namespace = grp
            group-namespace-double-writes = true
            [frontend-groups]
            public = ^fe
            """;

    @Test
    void everyKindOfPathHasItsRow() throws Exception {
        SeriesMapping m = mapping(GROUPS);
        String ns = "namespace=loadbalancers.eu";
        Map<String, String> table = new java.util.LinkedHashMap<>();
        String p = "loadbalancers.eu.lb1.haproxy.";
        table.put(p + "frontend.fe.req_tot", "haproxy.frontend.req_tot;" + ns + ";lb=lb1;frontend=fe");
        table.put(p + "frontend.fe.status.OPEN", "haproxy.frontend.status;" + ns + ";lb=lb1;frontend=fe;status=OPEN");
        table.put(p + "backend.be_app.lbtot", "haproxy.backend.lbtot;" + ns + ";lb=lb1;backend=be_app");
        table.put(p + "backend.be_app.status.UP", "haproxy.backend.status;" + ns + ";lb=lb1;backend=be_app;status=UP");
        table.put(p + "backend.be_app.TotalServers", "haproxy.backend.TotalServers;" + ns + ";lb=lb1;backend=be_app");
        table.put(
                p + "backend.be_app.servers.DRAIN",
                "haproxy.backend.servers.status;" + ns + ";lb=lb1;backend=be_app;status=DRAIN");
        table.put(
                p + "backend.be_app.servers.op_state.UP",
                "haproxy.backend.servers.op_state;" + ns + ";lb=lb1;backend=be_app;op_state=UP");
        table.put(
                p + "backend.be_app.servers.admin_state.FMAINT",
                "haproxy.backend.servers.admin_state;" + ns + ";lb=lb1;backend=be_app;admin_state=FMAINT");
        table.put(
                p + "backend.be_app.server.web-2.rtime",
                "haproxy.server.rtime;" + ns + ";lb=lb1;backend=be_app;server=web-2");
        table.put(
                p + "backend.be_app.server.web-2.status.MAINT",
                "haproxy.server.status;" + ns + ";lb=lb1;backend=be_app;server=web-2;status=MAINT");
        table.put(
                p + "backend.be_app.server.web-2.op_state.STOPPING",
                "haproxy.server.op_state;" + ns + ";lb=lb1;backend=be_app;server=web-2;op_state=STOPPING");
        table.put(
                p + "backend.be_app.server.web-2.admin_state.RMAINT",
                "haproxy.server.admin_state;" + ns + ";lb=lb1;backend=be_app;server=web-2;admin_state=RMAINT");
        table.put(p + "server.web-2.bin", "haproxy.aggr_server.bin;" + ns + ";lb=lb1;server=web-2");
        table.put(p + "server.web-2.status.UP", "haproxy.aggr_server.status;" + ns + ";lb=lb1;server=web-2;status=UP");
        table.put(
                p + "frontend.fe.timers.Ta.p999",
                "haproxy.frontend.timers.p999;" + ns + ";lb=lb1;frontend=fe;timer=Ta");
        table.put(
                p + "backend.be_app.timers.Tr.count",
                "haproxy.backend.timers.count;" + ns + ";lb=lb1;backend=be_app;timer=Tr");
        table.put(
                p + "backend.be_app.server.web-2.timers.Tc.p99",
                "haproxy.server.timers.p99;" + ns + ";lb=lb1;backend=be_app;server=web-2;timer=Tc");
        table.put(p + "daemon.CurrConns", "haproxy.daemon.CurrConns;" + ns + ";lb=lb1");
        table.put(p + "daemon.Ulimit-n", "haproxy.daemon.Ulimit-n;" + ns + ";lb=lb1");
        table.put(p + "daemon.process.2.Idle_pct", "haproxy.daemon.process.Idle_pct;" + ns + ";lb=lb1;process=2");
        table.put(
                p + "daemon.process.127_0_0_1:9001.CpuUsagePct",
                "haproxy.daemon.process.CpuUsagePct;" + ns + ";lb=lb1;process=127_0_0_1:9001");
        table.put(p + "haproxystats.MetricsServer", "haproxy.haproxystats.MetricsServer;" + ns + ";lb=lb1");
        table.put(p + "haproxystats.GraphiteQueuedLines", "haproxy.haproxystats.GraphiteQueuedLines;" + ns + ";lb=lb1");
        table.put(
                p + "grp.public.frontend.fe.stot", "haproxy.frontend.stot;" + ns + ";lb=lb1;group=public;frontend=fe");
        table.put(
                p + "grp.public.backend.be.server.s1.op_state.UP",
                "haproxy.server.op_state;" + ns + ";lb=lb1;group=public;backend=be;server=s1;op_state=UP");
        table.put(p + "grp.g2.server.s1.bin", "haproxy.aggr_server.bin;" + ns + ";lb=lb1;group=g2;server=s1");
        String c = "loadbalancers.eu.cluster.web.";
        table.put(c + "frontend.fe.req_tot", "haproxy.cluster.frontend.req_tot;" + ns + ";cluster=web;frontend=fe");
        table.put(
                c + "backend.be.server.s.qtime",
                "haproxy.cluster.server.qtime;" + ns + ";cluster=web;backend=be;server=s");
        table.put(c + "daemon.Idle_pct", "haproxy.cluster.daemon.Idle_pct;" + ns + ";cluster=web");
        table.put(
                c + "backend.be.timers.Tr.p99",
                "haproxy.cluster.backend.timers.p99;" + ns + ";cluster=web;backend=be;timer=Tr");
        table.put(c + "haproxystats.Members", "haproxy.cluster.haproxystats.Members;" + ns + ";cluster=web");
        table.put(
                c + "grp.public.frontend.fe.status.OPEN",
                "haproxy.cluster.frontend.status;" + ns + ";cluster=web;group=public;frontend=fe;status=OPEN");
        table.forEach((dotted, tagged) -> assertEquals(tagged, m.graphite(dotted), dotted));

        SeriesMapping noHost = mapping("[graphite]\nnamespace = lb\nprefix-hostname = false\n");
        assertEquals("haproxy.frontend.stot;namespace=lb;frontend=fe", noHost.graphite("lb.haproxy.frontend.fe.stot"));
        assertEquals(
                "haproxy.cluster.backend.lbtot;namespace=lb;cluster=c1;backend=b",
                noHost.graphite("lb.cluster.c1.backend.b.lbtot"));
    }

    @Test
    void aPathNoRowReadsStaysAsItIs() throws Exception {
        SeriesMapping m = mapping(GROUPS);
        for (String path : List.of(
                "elsewhere.lb1.haproxy.frontend.fe.stot",
                "loadbalancers.eu.lb1.notHaproxy.frontend.fe.stot",
                "loadbalancers.eu.lb1.haproxy.frontend.fe",
                "loadbalancers.eu.lb1.haproxy.unknown.x.y",
                "loadbalancers.eu.lb1.haproxy.frontend.fe.servers.UP")) {
            assertNull(m.series(path), path);
            assertEquals(path, m.graphite(path));
        }
    }

    @Test
    void tagValuesObeyGraphitesRules() {
        assertEquals("a_b_c_d_e_f_g", SeriesMapping.tagValue("a;b=c~d!e^f g"));
        assertEquals("_", SeriesMapping.tagValue(""));
        assertEquals("ünïcödé✓:-,@\"", SeriesMapping.tagValue("ünïcödé✓:-,@\""));
        assertEquals("tab_cr_", SeriesMapping.tagValue("tab\tcr\r"));
    }

    /**
     * A real HAProxy 3.0's answers (servers-state included) with every option that adds a kind of
     * line: every line maps, and distinct paths give distinct series (tags compared sorted, as
     * carbon stores them).
     */
    @Test
    void everyLineOfARealPollMapsAndNoTwoPathsMeet() throws URISyntaxException, Exception {
        Path dir = Path.of(getClass().getResource("/generations/haproxy-3.0").toURI());
        String ini = """
                [graphite]
                namespace = lb
                group-namespace = grp
                group-namespace-double-writes = true
                [frontend-groups]
                pub = ^fe
                [backend-groups]
                app = app
                [server-groups]
                web = ^web
                [process]
                state-metrics = true
                aggr-server-metrics = true
                per-process-metrics = true
                calculate-percentages = true
                """;
        PollComputation.Result r = Fixtures.computation(tmp, ini, "lb-01.example.com")
                .compute("1700000000", Fixtures.files(dir), Set.of(), Set.of());
        assertEquals(List.of(), r.errors());
        SeriesMapping m = mapping(ini);
        Map<String, String> seen = new HashMap<>();
        Set<String> kinds = new java.util.TreeSet<>();
        for (GraphiteLines.Line l : GraphiteLines.lines(r.batch().text())) {
            SeriesMapping.Series s = m.series(l.path());
            assertNotNull(s, "no row reads " + l.path());
            String canonical = s.name()
                    + s.tags().stream()
                            .map(t -> ";" + t.key() + "=" + t.value())
                            .sorted()
                            .reduce("", String::concat);
            String before = seen.put(canonical, l.path());
            assertTrue(
                    before == null || before.equals(l.path()), before + " and " + l.path() + " meet in " + canonical);
            assertTrue(TAGGED.matcher(s.graphite()).matches(), s.graphite());
            kinds.add(s.name().replaceAll("\\.[^.]*$", "")
                    + s.tags().stream().map(t -> ";" + t.key()).reduce("", String::concat));
        }
        for (String kind : List.of(
                "haproxy.frontend;namespace;lb;frontend",
                "haproxy.frontend;namespace;lb;group;frontend;status",
                "haproxy.backend;namespace;lb;backend;status",
                "haproxy.backend.servers;namespace;lb;backend;op_state",
                "haproxy.server;namespace;lb;backend;server",
                "haproxy.server;namespace;lb;backend;server;admin_state",
                "haproxy.aggr_server;namespace;lb;group;server",
                "haproxy.daemon;namespace;lb",
                "haproxy.daemon.process;namespace;lb;process",
                "haproxy.haproxystats;namespace;lb")) {
            assertTrue(kinds.contains(kind), kind + " in " + kinds);
        }
    }

    @Test
    void hostileNamesNeverBreakATag() throws Exception {
        List<String> names = new ArrayList<>(HostileNames.CORPUS);
        names.addAll(List.of("a=b", "~tilde", "bang!", "caret^", "semi;x=y"));
        StringBuilder stat = new StringBuilder("# pxname,svname,scur,type,\n");
        for (String n : names) {
            stat.append(n).append(",FRONTEND,1,0,\n");
            stat.append(n).append(",BACKEND,1,1,\n");
            stat.append(n).append(",").append(n).append(",1,2,\n");
        }
        String ini = "[graphite]\nnamespace = lb\n[process]\naggr-server-metrics = true\nstate-metrics = true\n";
        PollComputation.Result r = Fixtures.computation(tmp, ini, "h")
                .compute("1700000000", Map.of("evil.sock_stat", stat.toString()), Set.of(), Set.of());
        assertEquals(List.of(), r.errors());
        MetricBatch tagged = mapping(ini).tagged(r.batch());
        Pattern line = Pattern.compile(TAGGED.pattern() + " -?[0-9.]+ 1700000000");
        String[] lines = tagged.text().split("\n", -1);
        assertEquals(r.batch().lines(), lines.length - 1);
        for (int i = 0; i < lines.length - 1; i++) {
            assertTrue(line.matcher(lines[i]).matches(), "broken tagged line: " + lines[i]);
        }
    }

    @Test
    void theTaggedBatchKeepsValuesTimestampsAndSource() throws Exception {
        SeriesMapping m = mapping("[graphite]\nnamespace = lb\n");
        MetricBatch b = new MetricBatch("1700000000").from("lb1");
        b.add("lb.lb1.haproxy.frontend.fe.stot", 12);
        b.add("lb.lb1.haproxy.backend.be.rtime", 1.5);
        b.add("lb.lb1.haproxy.unknown", 3);
        b.addLines("lb.cluster.c.frontend.fe.stot 7 1699999990\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        MetricBatch t = m.tagged(b);
        assertEquals("lb1", t.source());
        assertEquals(b.timestamp(), t.timestamp());
        assertEquals(4, t.lines());
        assertEquals("""
                haproxy.frontend.stot;namespace=lb;lb=lb1;frontend=fe 12 1700000000
                haproxy.backend.rtime;namespace=lb;lb=lb1;backend=be 1.5 1700000000
                lb.lb1.haproxy.unknown 3 1700000000
                haproxy.cluster.frontend.stot;namespace=lb;cluster=c;frontend=fe 7 1699999990
                """, t.text());
    }
}
