package io.haproxystats.process;

import static io.haproxystats.common.testing.Daemons.PROCESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.testing.CarbonRelay;
import io.haproxystats.common.testing.Daemons;
import io.haproxystats.common.testing.HaproxyInstance;
import io.haproxystats.common.testing.KafkaCluster;
import io.haproxystats.common.testing.Prometheus;
import io.haproxystats.common.testing.TestConfig;
import io.haproxystats.common.testing.Wait;
import io.haproxystats.process.testing.GraphiteLines;
import io.haproxystats.process.testing.KafkaRecords;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both outputs on a central processor with cluster aggregation: polls of two load balancers
 * (records as their edges write them) into a real Kafka broker; the central processor sends tagged
 * series to a real carbon-c-relay and to its {@code [kafka-dispatch]} topic, and serves every load
 * balancer and the cluster on its OpenMetrics endpoint, scraped by a real Prometheus. The cluster's
 * {@code Members} and a cluster frontend's counter, and a load balancer's frontend counter, are in
 * Prometheus with the value and timestamp of their tagged Graphite line.
 */
class CentralOutputsIT {

    private static final Pattern VALUE = Pattern.compile("\"value\":\\[[0-9.]+,\"([^\"]+)\"\\]");

    @TempDir
    Path tmp;

    @Test
    void twoLoadBalancersAndTheirClusterAsTaggedSeriesAndInPrometheus() throws Exception {
        long b = (System.currentTimeMillis() / 1000) / 10 * 10 - 40; // a window start, 40-50 s ago
        int endpointPort = HaproxyInstance.freePort();
        try (KafkaCluster kafka = KafkaCluster.start(tmp.resolve("kafka"), 2);
                CarbonRelay relay = CarbonRelay.start(tmp);
                Prometheus prometheus = Prometheus.start(tmp.resolve("prometheus"), endpointPort)) {
            String bootstrap = kafka.bootstrapServers();
            Path conf = Files.writeString(
                    tmp.resolve("central.conf"),
                    TestConfig.paths(tmp.resolve("central")) + """
                    [process]
                    source = kafka
                    workers = 2
                    [graphite]
                    port = %d
                    namespace = lb
                    format = tags
                    [kafka]
                    bootstrap-servers = %s
                    client.session.timeout.ms = 6000
                    client.heartbeat.interval.ms = 1000
                    [kafka-dispatch]
                    topic = lines
                    [cluster]
                    aggregate = true
                    [clusters]
                    web = ^lb[12]$$
                    [openmetrics]
                    listen = 127.0.0.1:%d
                    """.formatted(relay.port(), bootstrap, endpointPort));
            Process central = Daemons.start(PROCESS, conf, tmp.resolve("central.log"));
            try {
                SortedMap<String, byte[]> poll = KafkaFaultsIT.smallPoll();
                // lb1 and lb2 in window [b, b+10); lb1's b+32 poll moves stream time past its end + grace.
                KafkaRecords.produce(
                        bootstrap,
                        List.of(
                                KafkaFaultsIT.pollRecord("lb1", Long.toString(b + 2), poll),
                                KafkaFaultsIT.pollRecord("lb2", Long.toString(b + 3), poll)));
                Wait.until(Duration.ofSeconds(90), () -> has(relay, ";lb=lb2 ", b + 3), "lb2's poll at Graphite");
                KafkaRecords.produce(bootstrap, List.of(KafkaFaultsIT.pollRecord("lb1", Long.toString(b + 32), poll)));
                String members = "haproxy.cluster.haproxystats.Members;namespace=lb;cluster=web";
                Wait.until(
                        Duration.ofSeconds(120),
                        () -> has(relay, members + " ", b),
                        "the cluster's window at Graphite");

                List<GraphiteLines.Line> lines = GraphiteLines.lines(lines(relay));
                for (GraphiteLines.Line l : lines) {
                    assertTrue(l.path().startsWith("haproxy.") && l.path().contains(";namespace=lb"), "tagged: " + l);
                }
                assertEquals("2", value(lines, members, b));
                GraphiteLines.Line lb2Frontend = lines.stream()
                        .filter(l -> l.path().startsWith("haproxy.frontend.stot;")
                                && l.path().contains(";lb=lb2")
                                && l.timestamp().equals(Long.toString(b + 3)))
                        .findFirst()
                        .orElseThrow();
                String frontend = tag(lb2Frontend.path(), "frontend");
                String clusterFrontend = "haproxy.cluster.frontend.stot;namespace=lb;cluster=web;frontend=" + frontend;
                assertTrue(
                        KafkaRecords.readAll(bootstrap, "lines").stream()
                                .map(r -> new String(r.key(), StandardCharsets.UTF_8))
                                .anyMatch(k -> k.equals(lb2Frontend.path())),
                        "the Kafka dispatcher's records are keyed by the same tagged series");

                assertInPrometheus(prometheus, "haproxy_cluster_haproxystats_members{cluster=\"web\"}", b, "2");
                assertInPrometheus(
                        prometheus,
                        "haproxy_cluster_frontend_stot_total{cluster=\"web\",frontend=\"" + frontend + "\"}",
                        b,
                        value(lines, clusterFrontend, b));
                assertInPrometheus(
                        prometheus,
                        "haproxy_frontend_stot_total{lb=\"lb2\",frontend=\"" + frontend + "\"}",
                        b + 3,
                        lb2Frontend.value());
                assertInPrometheus(
                        prometheus, "count(count by (lb) (haproxy_frontend_stot_total{lb=~\"lb[12]\"}))", -1, "2");
            } finally {
                Daemons.stop(central);
            }
        }
    }

    /** Waits until Prometheus answers {@code promql} with {@code expected} (and, unless -1, a sample at {@code ts}). */
    private static void assertInPrometheus(Prometheus prometheus, String promql, long ts, String expected)
            throws InterruptedException {
        String[] last = {""};
        Wait.until(
                Duration.ofSeconds(60),
                () -> {
                    Optional<String> v = first(prometheus, promql);
                    Optional<String> t = ts < 0 ? Optional.of("-1") : first(prometheus, "timestamp(" + promql + ")");
                    last[0] = v + " at " + t;
                    return v.isPresent()
                            && t.isPresent()
                            && Double.parseDouble(v.get()) == Double.parseDouble(expected)
                            && Double.parseDouble(t.get()) == ts;
                },
                promql + " = " + expected + " at " + ts + " in Prometheus (last: " + last[0] + ")");
    }

    private static Optional<String> first(Prometheus prometheus, String promql) {
        try {
            Matcher m = VALUE.matcher(prometheus.query(promql));
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String tag(String series, String key) {
        for (String part : series.split(";")) {
            if (part.startsWith(key + "=")) {
                return part.substring(key.length() + 1);
            }
        }
        throw new AssertionError(key + " not in " + series);
    }

    private static String value(List<GraphiteLines.Line> lines, String series, long ts) {
        return lines.stream()
                .filter(l -> l.path().equals(series) && l.timestamp().equals(Long.toString(ts)))
                .map(GraphiteLines.Line::value)
                .findFirst()
                .orElseThrow(() -> new AssertionError(series + " " + ts + " not at Graphite"));
    }

    private static boolean has(CarbonRelay relay, String contains, long ts) {
        return lines(relay).stream().anyMatch(l -> l.contains(contains) && l.endsWith(" " + ts));
    }

    private static List<String> lines(CarbonRelay relay) {
        try {
            return relay.lines();
        } catch (IOException e) {
            return List.of();
        }
    }
}
