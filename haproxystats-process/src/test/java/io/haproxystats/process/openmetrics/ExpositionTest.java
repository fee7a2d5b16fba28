package io.haproxystats.process.openmetrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.config.ConfigLoader;
import io.haproxystats.common.config.ProcessConfig;
import io.haproxystats.common.testing.Wait;
import io.haproxystats.common.time.ManualClock;
import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.compute.PollComputation;
import io.haproxystats.process.compute.SeriesMapping;
import io.haproxystats.process.testing.Fixtures;
import io.haproxystats.process.testing.HostileNames;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The snapshot and the two text formats: names, labels, types, units and help from the
 * catalogue, each sample with its line's timestamp, families merged over load balancers, a silent
 * load balancer dropped after 3 pull intervals, hostile names never breaking a label.
 */
class ExpositionTest {

    /** A Prometheus/OpenMetrics sample line: name, labels with quoted escaped values, value, timestamp. */
    static final Pattern SAMPLE = Pattern.compile(
            "[a-zA-Z_:][a-zA-Z0-9_:]*\\{([a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]++|\\\\[\\\\\"n])*+\",?)*+\\}"
                    + " -?[0-9.]+ [0-9]+");

    @TempDir
    Path tmp;

    private ProcessConfig config(String ini) throws Exception {
        return ProcessConfig.from(ConfigLoader.load(Files.writeString(tmp.resolve("c.conf"), ini), null));
    }

    private static String write(List<Snapshot> snapshots, Exposition.Format format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Exposition.write(snapshots, format, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * The request timers' families ([logs]) as a scraper gets them: promtool's lint finds nothing
     * (the count is {@code _requests}: a gauge must not end in {@code _count}).
     */
    @Test
    void timerFamiliesPassPromtool() throws Exception {
        SeriesMapping m =
                new SeriesMapping(config("[graphite]\nnamespace = lb\n").graphite());
        MetricBatch b = new MetricBatch("1700000000");
        for (String owner : List.of("frontend.fe", "backend.be", "backend.be.server.s1")) {
            for (String stat : List.of("p50", "p999", "max", "count", "aborted")) {
                b.add("lb.lb1.haproxy." + owner + ".timers.Tr." + stat, 7);
            }
        }
        String text = write(List.of(Snapshot.of(b, m, 0)), Exposition.Format.PROMETHEUS);
        assertEquals("", io.haproxystats.common.testing.Prometheus.checkMetrics(text), text);
        assertTrue(
                text.contains(
                        "# HELP haproxy_frontend_timers_requests requests that set the timer in the interval\n"
                                + "# TYPE haproxy_frontend_timers_requests gauge\n"
                                + "haproxy_frontend_timers_requests{namespace=\"lb\",lb=\"lb1\",frontend=\"fe\",timer=\"Tr\"} 7 "),
                text);
        assertTrue(
                text.contains("haproxy_server_timers_p999{namespace=\"lb\",lb=\"lb1\",backend=\"be\",server=\"s1\","
                        + "timer=\"Tr\"} 7 "),
                text);
        assertTrue(!text.contains("_count"), text);
    }

    @Test
    void bothFormatsFromOnePoll() throws Exception {
        SeriesMapping m =
                new SeriesMapping(config("[graphite]\nnamespace = lb\n").graphite());
        MetricBatch b = new MetricBatch("1700000000");
        b.add("lb.lb1.haproxy.frontend.fe.stot", 12);
        b.add("lb.lb1.haproxy.backend.be.rtime", 1.5);
        b.add("lb.lb1.haproxy.backend.be.server.s\"1.bin", 300);
        b.add("lb.lb1.haproxy.haproxystats.MetricsServer", 4);
        Snapshot s = Snapshot.of(b, m, 0);
        assertEquals("""
                # HELP haproxy_backend_rtime_seconds average response time over the last 1024 requests
                # TYPE haproxy_backend_rtime_seconds gauge
                # UNIT haproxy_backend_rtime_seconds seconds
                haproxy_backend_rtime_seconds{namespace="lb",lb="lb1",backend="be"} 0.0015 1700000000
                # HELP haproxy_frontend_stot sessions
                # TYPE haproxy_frontend_stot counter
                haproxy_frontend_stot_total{namespace="lb",lb="lb1",frontend="fe"} 12 1700000000
                # HELP haproxy_haproxystats_metrics_server lines sent for the servers of the poll
                # TYPE haproxy_haproxystats_metrics_server gauge
                haproxy_haproxystats_metrics_server{namespace="lb",lb="lb1"} 4 1700000000
                # HELP haproxy_server_bin_bytes bytes in
                # TYPE haproxy_server_bin_bytes counter
                # UNIT haproxy_server_bin_bytes bytes
                haproxy_server_bin_bytes_total{namespace="lb",lb="lb1",backend="be",server="s\\"1"} 300 1700000000
                # EOF
                """, write(List.of(s), Exposition.Format.OPENMETRICS));
        assertEquals("""
                # HELP haproxy_backend_rtime_seconds average response time over the last 1024 requests
                # TYPE haproxy_backend_rtime_seconds gauge
                haproxy_backend_rtime_seconds{namespace="lb",lb="lb1",backend="be"} 0.0015 1700000000000
                # HELP haproxy_frontend_stot_total sessions
                # TYPE haproxy_frontend_stot_total counter
                haproxy_frontend_stot_total{namespace="lb",lb="lb1",frontend="fe"} 12 1700000000000
                # HELP haproxy_haproxystats_metrics_server lines sent for the servers of the poll
                # TYPE haproxy_haproxystats_metrics_server gauge
                haproxy_haproxystats_metrics_server{namespace="lb",lb="lb1"} 4 1700000000000
                # HELP haproxy_server_bin_bytes_total bytes in
                # TYPE haproxy_server_bin_bytes_total counter
                haproxy_server_bin_bytes_total{namespace="lb",lb="lb1",backend="be",server="s\\"1"} 300 1700000000000
                """, write(List.of(s), Exposition.Format.PROMETHEUS));
        assertEquals(
                Exposition.Format.OPENMETRICS,
                Exposition.Format.accepting("application/openmetrics-text;version=1.0.0,text/plain;q=0.5"));
        assertEquals(Exposition.Format.PROMETHEUS, Exposition.Format.accepting("*/*"));
        assertEquals(Exposition.Format.PROMETHEUS, Exposition.Format.accepting(null));
    }

    @Test
    void namesInSnakeCaseWithBaseUnits() {
        assertEquals("haproxy_daemon_curr_conns", Snapshot.familyName("haproxy.daemon.CurrConns", ""));
        assertEquals("haproxy_daemon_ulimit_n", Snapshot.familyName("haproxy.daemon.Ulimit-n", ""));
        assertEquals(
                "haproxy_daemon_25_percentile_cpu_usage_pct",
                Snapshot.familyName("haproxy.daemon.25PercentileCpuUsagePct", ""));
        assertEquals("haproxy_daemon_uptime_seconds", Snapshot.familyName("haproxy.daemon.Uptime_sec", "seconds"));
        assertEquals("haproxy_daemon_memmax_bytes", Snapshot.familyName("haproxy.daemon.Memmax_MB", "bytes"));
        assertEquals(
                "haproxy_haproxystats_metrics_ha_proxy",
                Snapshot.familyName("haproxy.haproxystats.MetricsHAProxy", ""));
        assertEquals(
                "haproxy_haproxystats_open_metrics_last_scrape_seconds",
                Snapshot.familyName("haproxy.haproxystats.OpenMetricsLastScrapeSeconds", "seconds"));
        assertEquals("haproxy_backend_hrsp_5xx", Snapshot.familyName("haproxy.backend.hrsp_5xx", ""));
    }

    @Test
    void familiesAreMergedOverLoadBalancersAndClusters() throws Exception {
        SeriesMapping m = new SeriesMapping(
                config("[graphite]\nnamespace = lb\nprefix-hostname = false\n").graphite());
        MetricBatch a = new MetricBatch("1700000000").from("lb1");
        a.add("lb.haproxy.frontend.fe.stot", 1);
        MetricBatch b = new MetricBatch("1700000001").from("lb2");
        b.add("lb.haproxy.frontend.fe.stot", 2);
        MetricBatch c = new MetricBatch("cluster-web-1699999990");
        c.addLines("lb.cluster.web.frontend.fe.stot 3 1699999990\n".getBytes(StandardCharsets.UTF_8));
        Snapshot cluster = Snapshot.of(c, m, 0);
        assertEquals("cluster-web", cluster.key());
        assertTrue(cluster.cluster());
        String text =
                write(List.of(Snapshot.of(a, m, 0), Snapshot.of(b, m, 0), cluster), Exposition.Format.OPENMETRICS);
        assertEquals("""
                # HELP haproxy_cluster_frontend_stot sessions
                # TYPE haproxy_cluster_frontend_stot counter
                haproxy_cluster_frontend_stot_total{namespace="lb",cluster="web",frontend="fe"} 3 1699999990
                # HELP haproxy_frontend_stot sessions
                # TYPE haproxy_frontend_stot counter
                haproxy_frontend_stot_total{namespace="lb",frontend="fe",lb="lb1"} 1 1700000000
                haproxy_frontend_stot_total{namespace="lb",frontend="fe",lb="lb2"} 2 1700000001
                # EOF
                """, text);
    }

    @Test
    void aSilentLoadBalancerDropsOutAfterThreePullIntervals() throws Exception {
        ProcessConfig config =
                config("[pull]\npull-interval = 10\n[graphite]\nnamespace = lb\nprefix-hostname = false\n");
        ManualClock clock = new ManualClock(Instant.EPOCH);
        OpenMetricsDispatcher d =
                new OpenMetricsDispatcher(new SeriesMapping(config.graphite()), config.openMetrics(), clock);
        try {
            MetricBatch a = new MetricBatch("1700000000").from("lb1");
            a.add("lb.haproxy.frontend.fe.stot", 1);
            assertTrue(d.submit(a).isDone(), "never holds a poll");
            Wait.until(Duration.ofSeconds(10), () -> d.fresh().size() == 1, "lb1's snapshot built");
            clock.advance(Duration.ofSeconds(20));
            MetricBatch b = new MetricBatch("1700000020").from("lb2");
            b.add("lb.haproxy.frontend.fe.stot", 2);
            d.submit(b);
            Wait.until(Duration.ofSeconds(10), () -> d.fresh().size() == 2, "lb2's snapshot built");
            clock.advance(Duration.ofSeconds(11)); // lb1: 31 s old, past 3 x 10 s; lb2: 11 s
            assertEquals(List.of("lb2"), d.fresh().stream().map(Snapshot::key).toList());
        } finally {
            d.close(Duration.ofSeconds(1));
        }
    }

    @Test
    void hostileNamesNeverBreakALabel() throws Exception {
        StringBuilder stat = new StringBuilder("# pxname,svname,scur,type,\n");
        for (String n : HostileNames.CORPUS) {
            stat.append(n).append(",FRONTEND,1,0,\n");
            stat.append(n).append(",BACKEND,1,1,\n");
            stat.append(n).append(",").append(n).append(",1,2,\n");
        }
        String ini = "[graphite]\nnamespace = lb\n[process]\naggr-server-metrics = true\nstate-metrics = true\n";
        PollComputation.Result r = Fixtures.computation(tmp, ini, "h")
                .compute("1700000000", Map.of("evil.sock_stat", stat.toString()), Set.of(), Set.of());
        assertEquals(List.of(), r.errors());
        Snapshot s = Snapshot.of(r.batch(), new SeriesMapping(config(ini).graphite()), 0);
        assertEquals(r.batch().lines(), s.samples(), "every line a sample");
        for (Exposition.Format format : Exposition.Format.values()) {
            for (String line : write(List.of(s), format).split("\n")) {
                assertTrue(
                        line.startsWith("# ") || SAMPLE.matcher(line).matches(), format + ": broken sample: " + line);
            }
        }
    }
}
