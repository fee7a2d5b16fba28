package io.haproxystats.process.cluster;

import static io.haproxystats.common.testing.Daemons.PROCESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.haproxy.Aggregation;
import io.haproxystats.common.testing.CarbonRelay;
import io.haproxystats.common.testing.Daemons;
import io.haproxystats.common.testing.KafkaCluster;
import io.haproxystats.common.testing.Wait;
import io.haproxystats.process.KafkaEndToEndIT;
import io.haproxystats.process.KafkaFaultsIT;
import io.haproxystats.process.kafka.ClusterValues;
import io.haproxystats.process.kafka.PollRecord;
import io.haproxystats.process.testing.Fixtures;
import io.haproxystats.process.testing.GraphiteLines;
import io.haproxystats.process.testing.KafkaRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster aggregation with real parts: a Kafka broker, two central processors with
 * {@code [cluster] aggregate = true} (its Kafka Streams topology beside the poll consumers) and a
 * carbon-c-relay, fed polls of three load balancer names made from the real HAProxy captures, in
 * phases whose order the test controls. The cluster lines at the relay equal the sums, means,
 * maxima and minima computed here from the per-load-balancer lines of the same polls at the same
 * relay; a silent load balancer shows in Members; a poll late within the grace is counted, beyond
 * it is not (LatePolls); and the central processor whose Streams task holds the cluster, killed
 * with -9 mid-window (the other takes over) and started again, neither loses nor double counts a
 * window (the state is restored from the changelog, twice). After a broker outage whose one load
 * balancer's backlog arrives last, the windows that closed without it are revised, and the last
 * lines written are the complete windows.
 */
class ClusterAggregationIT {

    private static final String VALUES = "haproxystats.cluster-values";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    /** Window starts are multiples of 10 s, the default window ([pull] pull-interval 10), ten minutes ago. */
    private final long b = (System.currentTimeMillis() / 1000 - 600) / 10 * 10;

    @Test
    void clusterLinesAreThePerLoadBalancerLinesCombinedAcrossAKillDashNine() throws Exception {
        try (KafkaCluster kafka = KafkaCluster.start(tmp.resolve("kafka"), 2);
                CarbonRelay relay = CarbonRelay.start(tmp)) {
            String bootstrap = kafka.bootstrapServers();
            // Two central processors: the poll consumers and the Streams application share the work.
            List<Path> confs = new ArrayList<>();
            List<Process> centrals = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                confs.add(Files.writeString(
                        tmp.resolve("central" + i + ".conf"),
                        KafkaEndToEndIT.central(tmp.resolve("central" + i), bootstrap, relay.port())
                                + "client.session.timeout.ms = 6000\nclient.heartbeat.interval.ms = 1000\n"
                                + "[cluster]\naggregate = true\n"
                                // lb1 and lb2 by the central mapping; lb3 by its edge's header
                                + "[clusters]\nweb = ^lb[12]$$\n")); // $$: configparser interpolation
                centrals.add(Daemons.start(PROCESS, confs.get(i), tmp.resolve("central" + i + ".log")));
            }
            SortedMap<String, byte[]> a = KafkaFaultsIT.smallPoll();
            SortedMap<String, byte[]> c = poll("1795224228");

            // Phase 1: [b, b+10) from all three, lb1 twice (its later poll counts); [b+10, b+20) without lb3.
            send(
                    bootstrap,
                    List.of(
                            record("lb1", b + 2, a),
                            record("lb1", b + 8, c),
                            record("lb2", b + 3, a),
                            record("lb3", b + 4, c),
                            record("lb1", b + 12, a),
                            record("lb2", b + 13, c)));
            // Phase 2: [b+30, b+40): stream time b+34 closes [b, b+10) (its end b+10, grace 20 s).
            send(bootstrap, List.of(record("lb1", b + 32, a), record("lb2", b + 33, a), record("lb3", b + 34, a)));
            Wait.until(Duration.ofSeconds(60), () -> members(relay).containsKey(b), "the first window's lines");

            // The one whose Streams task closed it is killed with windows [b+10, b+20) and [b+30, b+40)
            // open: the other takes the task over (a rebalance, the store restored from the
            // changelog); the killed one is started again on its state dir (another rebalance).
            int owner =
                    Daemons.read(tmp.resolve("central0.log")).contains("cluster web: window " + b + " closed") ? 0 : 1;
            assertTrue(
                    Daemons.read(tmp.resolve("central" + owner + ".log"))
                            .contains("cluster web: window " + b + " closed"),
                    "one of the two closed the first window");
            Daemons.kill(centrals.get(owner));
            centrals.set(
                    owner, Daemons.start(PROCESS, confs.get(owner), tmp.resolve("central" + owner + "-again.log")));

            // Phase 3: [b+20, b+30), late but within the grace (open until stream time b+50).
            send(bootstrap, List.of(record("lb1", b + 22, c), record("lb2", b + 23, a), record("lb3", b + 25, c)));
            // Phase 4: lb2 in [b, b+10) again, beyond the grace: refused, counted.
            send(bootstrap, List.of(record("lb2", b + 5, c)));
            // Phase 5: stream time b+72 closes [b+10, b+20), [b+20, b+30) and [b+30, b+40).
            send(bootstrap, List.of(record("lb1", b + 72, a)));
            Wait.until(
                    Duration.ofSeconds(120),
                    () -> members(relay).keySet().containsAll(List.of(b, b + 10, b + 20, b + 30)),
                    "the four windows' lines");
            for (Process central : centrals) {
                Daemons.stop(central);
            }

            Map<Long, String> members = members(relay);
            assertEquals("3", members.get(b), "lb1, lb2, lb3");
            assertEquals("2", members.get(b + 10), "lb3 silent");
            assertEquals("3", members.get(b + 20), "lb3's late poll within the grace counts");
            assertEquals("3", members.get(b + 30));
            Map<String, String> cluster = clusterLines(relay);
            assertEquals("3", cluster.get("lb.cluster.web.haproxystats.Expected " + (b + 10)), "lb3 expected");
            assertEquals("0", cluster.get("lb.cluster.web.haproxystats.LatePolls " + b));
            assertEquals("1", cluster.get("lb.cluster.web.haproxystats.LatePolls " + (b + 10)), "lb2's b+5 poll");

            Map<String, Map<String, String>> perLb = perLoadBalancer(relay);
            expectCombined(cluster, perLb, b, Map.of("lb1", b + 8, "lb2", b + 3, "lb3", b + 4));
            expectCombined(cluster, perLb, b + 10, Map.of("lb1", b + 12, "lb2", b + 13));
            expectCombined(cluster, perLb, b + 20, Map.of("lb1", b + 22, "lb2", b + 23, "lb3", b + 25));
            expectCombined(cluster, perLb, b + 30, Map.of("lb1", b + 32, "lb2", b + 33, "lb3", b + 34));
        }
    }

    /**
     * Issue 28's outage: the broker stops while three load balancers' edges keep polling; when it is
     * back, lb2's and lb3's backlogs arrive first and lb1's only after lb1 went idle (30 s), so the
     * outage's windows first close with two members; lb1's backlog then revises each of them. The
     * last line written for every path and window at the relay is the three load balancers' lines
     * combined, and Members is 3.
     */
    @Test
    void afterAnOutageWhoseOneBacklogArrivesLastEveryWindowEndsComplete() throws Exception {
        try (KafkaCluster kafka = KafkaCluster.start(tmp.resolve("kafka"), 2);
                CarbonRelay relay = CarbonRelay.start(tmp)) {
            String bootstrap = kafka.bootstrapServers();
            Path conf = Files.writeString(
                    tmp.resolve("central.conf"),
                    KafkaEndToEndIT.central(tmp.resolve("central"), bootstrap, relay.port())
                            + "[cluster]\naggregate = true\n[clusters]\nweb = ^lb[123]$$\n");
            Process central = Daemons.start(PROCESS, conf, tmp.resolve("central.log"));
            try {
                SortedMap<String, byte[]> a = KafkaFaultsIT.smallPoll();
                SortedMap<String, byte[]> c = poll("1795224228");
                send(bootstrap, List.of(record("lb1", b + 1, a), record("lb2", b + 1, c), record("lb3", b + 1, a)));

                kafka.stop(0); // the edges keep their polls meanwhile
                Thread.sleep(15_000);
                kafka.restart(0);

                List<ProducerRecord<byte[], byte[]>> backlogs = new ArrayList<>();
                for (int i = 1; i <= 6; i++) {
                    backlogs.add(record("lb2", b + 1 + 10 * i, c));
                    backlogs.add(record("lb3", b + 1 + 10 * i, a));
                }
                send(bootstrap, backlogs); // lb2's and lb3's edges first
                for (int i = 7; i <= 10; i++) { // their live polls; lb1's edge is still behind
                    Thread.sleep(10_000);
                    send(bootstrap, List.of(record("lb2", b + 1 + 10 * i, c), record("lb3", b + 1 + 10 * i, a)));
                }
                Wait.until(
                        Duration.ofSeconds(60),
                        () -> "2".equals(members(relay).get(b + 10)),
                        "the outage's first window closed without lb1 (idle)");
                List<ProducerRecord<byte[], byte[]>> late = new ArrayList<>();
                for (int i = 1; i <= 10; i++) {
                    late.add(record("lb1", b + 1 + 10 * i, a));
                }
                send(bootstrap, late); // lb1's backlog, last
                send(
                        bootstrap,
                        List.of(record("lb1", b + 131, a), record("lb2", b + 131, c), record("lb3", b + 131, a)));
                Wait.until(
                        Duration.ofSeconds(90),
                        () -> {
                            Map<Long, String> m = members(relay);
                            for (long w = b; w <= b + 100; w += 10) {
                                if (!"3".equals(m.get(w))) {
                                    return false;
                                }
                            }
                            return true;
                        },
                        "every window of the outage with three members in the end");
                Path status = tmp.resolve("central/haproxystats-process.status");
                Wait.until(
                        Duration.ofSeconds(30),
                        () -> revisedInStatusFile(status) > 0,
                        "the status file counts the revised windows");
                assertTrue(Files.readString(status).contains("cluster_open_windows="), Files.readString(status));
            } finally {
                Daemons.stop(central);
            }
            Map<String, String> cluster = lastClusterLines(relay);
            Map<String, Map<String, String>> perLb = perLoadBalancer(relay);
            for (long w = b; w <= b + 100; w += 10) {
                expectCombined(cluster, perLb, w, Map.of("lb1", w + 1, "lb2", w + 1, "lb3", w + 1));
                assertEquals("3", cluster.get("lb.cluster.web.haproxystats.Expected " + w), "window " + w);
            }
            assertTrue(
                    Daemons.read(tmp.resolve("central.log")).contains("revised (1): lb1 arrived late"),
                    "the windows that closed without lb1 were revised");
        }
    }

    private static long revisedInStatusFile(Path status) {
        try {
            return Files.readAllLines(status).stream()
                    .filter(l -> l.startsWith("cluster_revised_windows="))
                    .mapToLong(l -> Long.parseLong(l.substring(l.indexOf('=') + 1)))
                    .sum();
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    /** {@code path timestamp} to the last value written for it (a revision's, when there was one). */
    private static Map<String, String> lastClusterLines(CarbonRelay relay) throws Exception {
        Map<String, String> out = new HashMap<>();
        for (String line : relay.lines()) {
            if (line.startsWith("lb.cluster.")) {
                GraphiteLines.Line l = GraphiteLines.Line.of(line);
                out.put(l.path() + " " + l.timestamp(), l.value());
            }
        }
        return out;
    }

    /** The cluster lines of window {@code start} equal the members' per-load-balancer lines combined by nature. */
    private static void expectCombined(
            Map<String, String> cluster,
            Map<String, Map<String, String>> perLb,
            long start,
            Map<String, Long> members) {
        Map<String, List<Double>> values = new TreeMap<>();
        members.forEach((lb, poll) -> {
            Map<String, String> lines = perLb.get(lb + " " + poll);
            assertTrue(lines != null && !lines.isEmpty(), "per-LB lines of " + lb + " at " + poll);
            lines.forEach((path, value) ->
                    values.computeIfAbsent(path, p -> new ArrayList<>()).add(Double.parseDouble(value)));
        });
        Set<String> seen = new TreeSet<>();
        String prefix = "lb.cluster.web.";
        cluster.forEach((key, value) -> {
            String[] k = key.split(" ");
            if (k[1].equals(Long.toString(start)) && !k[0].startsWith(prefix + "haproxystats.")) {
                seen.add(k[0].substring(prefix.length()));
            }
        });
        assertEquals(values.keySet(), seen, "window " + start + ": the cluster has every path of its members");
        int checked = 0;
        for (Map.Entry<String, List<Double>> e : values.entrySet()) {
            List<Double> v = e.getValue();
            double expected =
                    switch (ClusterAggregate.nature(e.getKey())) {
                        case MAX ->
                            v.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
                        case MIN ->
                            v.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
                        case MEAN ->
                            v.stream()
                                    .mapToDouble(Double::doubleValue)
                                    .average()
                                    .orElseThrow();
                        default -> v.stream().mapToDouble(Double::doubleValue).sum();
                    };
            if (ClusterAggregate.timing(e.getKey())) {
                // Response-time averages: weighted by each member's rate there (the plain mean without traffic).
                String rate = e.getKey().substring(0, e.getKey().lastIndexOf('.')) + ".rate";
                double weighted = 0;
                double weights = 0;
                for (Map.Entry<String, Long> m : members.entrySet()) {
                    Map<String, String> lines = perLb.get(m.getKey() + " " + m.getValue());
                    if (lines.containsKey(e.getKey())) {
                        double w = Math.max(0, Double.parseDouble(lines.getOrDefault(rate, "0")));
                        weighted += w * Double.parseDouble(lines.get(e.getKey()));
                        weights += w;
                    }
                }
                if (weights > 0) {
                    expected = weighted / weights;
                }
            }
            double actual = Double.parseDouble(cluster.get(prefix + e.getKey() + " " + start));
            assertEquals(expected, actual, Math.abs(expected) * 1e-9 + 1e-9, "window " + start + ": " + e.getKey());
            checked++;
        }
        assertTrue(checked > 100, "a real poll's worth of paths: " + checked);
        assertTrue(
                values.keySet().stream().anyMatch(p -> ClusterAggregate.nature(p) == Aggregation.MEAN)
                        && values.keySet().stream().anyMatch(p -> ClusterAggregate.nature(p) == Aggregation.SUM),
                "sums and means both checked");
    }

    /** {@code path timestamp} to value of the cluster lines; a repeated line must repeat its value. */
    private static Map<String, String> clusterLines(CarbonRelay relay) throws Exception {
        Map<String, String> out = new HashMap<>();
        for (String line : relay.lines()) {
            if (line.startsWith("lb.cluster.")) {
                GraphiteLines.Line l = GraphiteLines.Line.of(line);
                String before = out.put(l.path() + " " + l.timestamp(), l.value());
                assertTrue(
                        before == null || before.equals(l.value()),
                        "a replay changed " + line + " (was " + before + ")");
            }
        }
        return out;
    }

    /** {@code lb poll} to path (under the load balancer's prefix, self metrics left out) to value. */
    private static Map<String, Map<String, String>> perLoadBalancer(CarbonRelay relay) throws Exception {
        Map<String, Map<String, String>> out = new HashMap<>();
        for (String line : relay.lines()) {
            GraphiteLines.Line l = GraphiteLines.Line.of(line);
            String[] p = l.path().split("\\.", 4);
            if (p.length == 4 && p[2].equals("haproxy") && !p[3].startsWith("haproxystats.")) {
                out.computeIfAbsent(p[1] + " " + l.timestamp(), k -> new TreeMap<>())
                        .put(p[3], l.value());
            }
        }
        return out;
    }

    /** Window start to its Members line. */
    private static Map<Long, String> members(CarbonRelay relay) {
        try {
            return relay.lines().stream()
                    .filter(l -> l.startsWith("lb.cluster.web.haproxystats.Members "))
                    .map(GraphiteLines.Line::of)
                    .collect(Collectors.toMap(
                            l -> Long.parseLong(l.timestamp()), GraphiteLines.Line::value, (x, y) -> y, TreeMap::new));
        } catch (java.io.IOException e) {
            return Map.of();
        }
    }

    /** Sends the polls, then waits until the central processors published each one's values. */
    private static void send(String bootstrap, List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        KafkaRecords.produce(bootstrap, records);
        Set<String> expected = records.stream()
                .map(r -> new String(r.key(), StandardCharsets.UTF_8) + " "
                        + new String(
                                r.headers().lastHeader(PollRecord.POLL_HEADER).value(), StandardCharsets.UTF_8))
                .collect(Collectors.toSet());
        Wait.until(
                Duration.ofSeconds(90),
                () -> KafkaRecords.readAll(bootstrap, VALUES).stream()
                        .map(r -> ClusterValues.decode(r.value()))
                        .map(v -> v.loadBalancer() + " " + v.epochSeconds())
                        .collect(Collectors.toSet())
                        .containsAll(expected),
                "values published for " + expected);
    }

    /** A poll record as the edge makes it; lb3's edge names its cluster in the header. */
    private static ProducerRecord<byte[], byte[]> record(String lb, long epoch, SortedMap<String, byte[]> files) {
        ProducerRecord<byte[], byte[]> r = KafkaFaultsIT.pollRecord(lb, Long.toString(epoch), files);
        if (lb.equals("lb3")) {
            r.headers().add(PollRecord.CLUSTER_HEADER, "web".getBytes(StandardCharsets.UTF_8));
        }
        return r;
    }

    private static SortedMap<String, byte[]> poll(String name) throws Exception {
        SortedMap<String, byte[]> files = new TreeMap<>();
        try (var s = Files.list(Fixtures.small().resolve(name))) {
            for (Path p : s.toList()) {
                files.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return files;
    }
}
