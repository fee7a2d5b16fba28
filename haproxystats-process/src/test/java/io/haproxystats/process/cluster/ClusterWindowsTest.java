package io.haproxystats.process.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.config.ClusterSettings;
import io.haproxystats.common.config.ConfigLoader;
import io.haproxystats.common.config.ProcessConfig;
import io.haproxystats.common.logs.LogTimers;
import io.haproxystats.common.logs.LogTimersFile;
import io.haproxystats.common.logs.Timer;
import io.haproxystats.common.logs.TimerStats;
import io.haproxystats.common.time.Clock;
import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.compute.MetricPaths;
import io.haproxystats.process.compute.PollComputation;
import io.haproxystats.process.kafka.ClusterValues;
import io.haproxystats.process.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster topology run by Kafka's own test driver, both clocks in hand (the polls' epochs and
 * this machine's time): windows aligned to the epoch, closed once every active load balancer of
 * the cluster is past the window's end plus the grace (an idle one stops holding them), revised
 * when a missing load balancer's poll arrives late, one poll per load balancer (the later), values
 * combined by nature, Members/Expected/LatePolls/FuturePolls/RevisedWindows. (Restoring the store
 * from its changelog after a kill is the real broker's part: ClusterAggregationIT.)
 */
class ClusterWindowsTest {

    /** 1795224210 is a multiple of 10: the window [B, B+10) of the example. */
    private static final long B = 1795224210L;

    @TempDir
    Path tmp;

    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> values;
    private TestOutputTopic<String, String> lines;
    private ClusterSettings cluster;

    @BeforeEach
    void start() throws Exception {
        Path conf = Files.writeString(tmp.resolve("c.conf"), """
                [paths]
                base-dir = %s
                [pull]
                pull-interval = 10
                [process]
                source = kafka
                [kafka]
                bootstrap-servers = 127.0.0.1:9
                [cluster]
                aggregate = true
                expected-windows = 3
                """.formatted(tmp));
        cluster = ProcessConfig.from(ConfigLoader.load(conf, null)).cluster();
        assertEquals(10_000, cluster.window().toMillis(), "window defaults to the pull interval");
        assertEquals(20_000, cluster.grace().toMillis(), "grace defaults to two windows");
        open();
    }

    private void open() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
        p.put(StreamsConfig.STATE_DIR_CONFIG, tmp.resolve("state").toString());
        driver = new TopologyTestDriver(ClusterAggregation.topology(cluster, "lb"), p, Instant.ofEpochSecond(B + 100));
        values = driver.createInputTopic(cluster.valuesTopic(), new StringSerializer(), new ByteArraySerializer());
        lines = driver.createOutputTopic(cluster.linesTopic(), new StringDeserializer(), new StringDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    /** A load balancer's poll: one frontend counter, a mean, a maximum, an age, a daemon mean. */
    private void poll(String lb, long epoch, long bin, double weight, long rtimeMax, long lastchg) {
        poll("web", lb, epoch, bin, weight, rtimeMax, lastchg);
    }

    private void poll(String cluster, String lb, long epoch, long bin, double weight, long rtimeMax, long lastchg) {
        ClusterValues v = new ClusterValues(
                lb,
                epoch,
                List.of(
                        "frontend.www.bin",
                        "backend.app.weight",
                        "backend.app.rtime_max",
                        "backend.app.server.web1.lastchg",
                        "daemon.Idle_pct",
                        "daemon.CurrConns"),
                new double[] {bin, weight, rtimeMax, lastchg, 50 + bin % 10, bin / 10});
        values.pipeInput(cluster, v.encode(), epoch * 1000);
    }

    /** This machine's clock moves on (the punctuation that finds idle load balancers runs). */
    private void later(long seconds) {
        driver.advanceWallClockTime(Duration.ofSeconds(seconds));
    }

    /** Every record emitted so far, in order. */
    private final List<TestRecord<String, String>> seen = new ArrayList<>();

    private List<TestRecord<String, String>> records() {
        seen.addAll(lines.readRecordsToList());
        return seen;
    }

    /** Window start (epoch seconds) to path to value: the last value written (as Graphite keeps it). */
    private Map<Long, Map<String, String>> emitted() {
        return emitted("web");
    }

    private Map<Long, Map<String, String>> emitted(String cluster) {
        Map<Long, Map<String, String>> out = new TreeMap<>();
        for (TestRecord<String, String> r : records()) {
            if (!r.key().equals(cluster)) {
                continue;
            }
            for (String line : r.value().split("\n")) {
                String[] f = line.split(" ");
                assertEquals(r.timestamp() / 1000, Long.parseLong(f[2]), "lines carry the window start: " + line);
                out.computeIfAbsent(Long.parseLong(f[2]), k -> new TreeMap<>()).put(f[0], f[1]);
            }
        }
        return out;
    }

    /** Window starts emitted as a revision (the record header), in order. */
    private List<Long> revisions() {
        List<Long> out = new ArrayList<>();
        for (TestRecord<String, String> r : records()) {
            if (r.headers().lastHeader(ClusterWindows.REVISION_HEADER) != null) {
                out.add(r.timestamp() / 1000);
            }
        }
        return out;
    }

    /** Window starts of the first closing with fewer members than {@code members}. */
    private List<Long> firstClosedShort(int members) {
        List<Long> out = new ArrayList<>();
        for (TestRecord<String, String> r : records()) {
            if (r.headers().lastHeader(ClusterWindows.REVISION_HEADER) == null) {
                for (String line : r.value().split("\n")) {
                    if (line.startsWith(self("Members ")) && Integer.parseInt(line.split(" ")[1]) < members) {
                        out.add(r.timestamp() / 1000);
                    }
                }
            }
        }
        return out;
    }

    private static String self(String metric) {
        return "lb.cluster.web.haproxystats." + metric;
    }

    private static final String BIN = "lb.cluster.web.frontend.www.bin";

    /**
     * A load balancer's poll computed from a log_timers file whose backend be answered
     * {@code requests} requests with Tr spread evenly over [from, to] ms.
     */
    private long[] timedPoll(String lb, long epoch, int requests, long from, long to) {
        LogTimers t = new LogTimers();
        t.addCounters(new LogTimers.Counters(requests, requests, 0, 0, 0));
        long[] tr = new long[requests];
        for (int i = 0; i < requests; i++) {
            tr[i] = from + (to - from) * i / (requests - 1);
            t.stats(LogTimers.Series.backend("be"), Timer.Tr).record(tr[i]);
        }
        PollComputation c = Fixtures.computation(tmp, "[graphite]\nnamespace = lb\n", lb);
        PollComputation.Result r =
                c.compute(Long.toString(epoch), Map.of("log_timers", LogTimersFile.format(t)), Set.of(), Set.of());
        assertEquals(List.of(), r.errors());
        ClusterValues v = ClusterValues.of(lb, epoch, r.batch(), c.paths().prefix(), r.timers());
        assertTrue(v.paths().stream().noneMatch(p -> p.contains(".timers.")), "percentiles travel as sketches only");
        values.pipeInput("web", ClusterValues.decode(v.encode()).encode(), epoch * 1000);
        return tr;
    }

    @Test
    void aWindowsPercentilesAreThoseOfTheUnionOfItsLoadBalancersRequestsNotAMeanOfTheirs() {
        long[] a = timedPoll("lbA", B + 2, 9_000, 10, 50); // busy and fast
        long[] b = timedPoll("lbB", B + 3, 1_000, 500, 1_000); // quiet and slow
        poll("lbA", B + 32, 1, 1, 1, 1);
        poll("lbB", B + 33, 1, 1, 1, 1); // both past [B, B+10) plus the grace: it closes
        Map<String, String> w = emitted().get(B);
        long[] union = java.util.stream.LongStream.concat(java.util.Arrays.stream(a), java.util.Arrays.stream(b))
                .sorted()
                .toArray();
        String tr = "lb.cluster.web.backend.be.timers.Tr.";
        assertEquals("10000", w.get(tr + "count"), "counts add");
        assertEquals("1000", w.get(tr + "max"));
        assertEquals("0", w.get(tr + "aborted"));
        for (String[] q : new String[][] {{"p50", "0.5"}, {"p99", "0.99"}, {"p999", "0.999"}}) {
            long exact = union[(int) Math.floor(Double.parseDouble(q[1]) * (union.length - 1))];
            double got = Double.parseDouble(w.get(tr + q[0]));
            assertEquals(exact, got, exact * TimerStats.RELATIVE_ACCURACY, q[0] + " of the union");
        }
        double meanOfP99s =
                (a[(int) Math.floor(0.99 * (a.length - 1))] + b[(int) Math.floor(0.99 * (b.length - 1))]) / 2.0;
        double p99 = Double.parseDouble(w.get(tr + "p99"));
        assertTrue(Math.abs(p99 - meanOfP99s) > 0.2 * p99, "not the mean of the p99s: " + p99 + " vs " + meanOfP99s);
        assertEquals("2", w.get(self("Members")), "lbA and lbB");
    }

    @Test
    void responseTimeAveragesAreWeightedByEachLoadBalancersTrafficNotAMeanOfMeans() {
        for (Object[] lb : new Object[][] {{"lbA", 90.0, 10.0}, {"lbB", 10.0, 100.0}, {"lbC", 0.0, 1000.0}}) {
            ClusterValues v = new ClusterValues(
                    (String) lb[0],
                    B + 2,
                    List.of(
                            "backend.app.rate",
                            "backend.app.rtime",
                            "backend.app.server.s1.rate",
                            "backend.app.server.s1.qtime"),
                    new double[] {(double) lb[1], (double) lb[2], 0, (double) lb[2]});
            values.pipeInput("web", v.encode(), (B + 2) * 1000);
        }
        for (String lb : List.of("lbA", "lbB", "lbC")) {
            poll(lb, B + 32, 1, 1, 1, 1); // every member past [B, B+10) plus the grace: it closes
        }
        Map<String, String> w = emitted().get(B);
        // (90 x 10 + 10 x 100 + 0 x 1000) / (90 + 10 + 0) = 19; the mean of the means would be 370.
        assertEquals("19", w.get("lb.cluster.web.backend.app.rtime"), "weighted by rate");
        assertEquals("100", w.get("lb.cluster.web.backend.app.rate"), "rates summed");
        assertEquals("370", w.get("lb.cluster.web.backend.app.server.s1.qtime"), "no traffic anywhere: the plain mean");
    }

    @Test
    void aRevisedWindowMergesALateLoadBalancersSketchesIntoTheStoredWindow() {
        poll("lbA", B + 1, 1, 1, 1, 1);
        poll("lbB", B + 1, 1, 1, 1, 1);
        later(10);
        long[] a = timedPoll("lbA", B + 11, 9_000, 10, 50);
        for (int i = 2; i <= 6; i++) { // lbB silent: [B+10, B+20) closes with lbA alone
            later(10);
            poll("lbA", B + 1 + 10 * i, 1, 1, 1, 1);
        }
        assertTrue(firstClosedShort(2).contains(B + 10), "closed without lbB: " + firstClosedShort(2));
        long[] b = timedPoll("lbB", B + 12, 1_000, 500, 1_000); // lbB's backlog
        for (int i = 2; i <= 8; i++) {
            poll("lbB", B + 1 + 10 * i, 1, 1, 1, 1);
        }
        for (int i = 7; i <= 9; i++) {
            later(10);
            poll("lbA", B + 1 + 10 * i, 1, 1, 1, 1);
            poll("lbB", B + 1 + 10 * i, 1, 1, 1, 1);
        }
        assertTrue(revisions().contains(B + 10), "revised: " + revisions());
        Map<String, String> w = emitted().get(B + 10); // the last emission of the window: its revision
        long[] union = java.util.stream.LongStream.concat(java.util.Arrays.stream(a), java.util.Arrays.stream(b))
                .sorted()
                .toArray();
        String tr = "lb.cluster.web.backend.be.timers.Tr.";
        assertEquals("10000", w.get(tr + "count"), "the stored window's sketch and the late one, merged");
        long exact = union[(int) Math.floor(0.99 * (union.length - 1))];
        assertEquals(exact, Double.parseDouble(w.get(tr + "p99")), exact * TimerStats.RELATIVE_ACCURACY);
        assertEquals("2", w.get(self("Members")));
    }

    @Test
    void aVersionOneValuesRecordIsStillRead() throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            out.writeByte(1);
            out.writeUTF("lb1");
            out.writeLong(B + 2);
            out.writeInt(1);
            out.writeUTF("frontend.www.bin");
            out.writeDouble(5);
        }
        ClusterValues v = ClusterValues.decode(bytes.toByteArray());
        assertEquals(List.of("frontend.www.bin"), v.paths());
        assertTrue(v.timers().isEmpty());
    }

    @Test
    void aWindowClosesOnceEveryActiveLoadBalancerIsPastItsEndPlusTheGrace() {
        poll("lb1", B + 2, 100, 1, 30, 500);
        poll("lb2", B + 3, 200, 3, 70, 20);
        poll("lb3", B + 4, 300, 2, 50, 90);
        poll("lb1", B + 12, 1, 1, 1, 1);
        poll("lb1", B + 30, 1, 1, 1, 1);
        poll("lb2", B + 31, 1, 1, 1, 1);
        assertTrue(emitted().isEmpty(), "lb3 is active and still at B+4: [B, B+10) stays open");

        poll("lb3", B + 32, 1, 1, 1, 1);
        Map<Long, Map<String, String>> out = emitted();
        assertEquals(List.of(B), new ArrayList<>(out.keySet()), "exactly the first window closed");
        Map<String, String> w = out.get(B);
        assertEquals("600", w.get(BIN), "counters summed");
        assertEquals("2", w.get("lb.cluster.web.backend.app.weight"), "means averaged");
        assertEquals("70", w.get("lb.cluster.web.backend.app.rtime_max"), "maxima as max");
        assertEquals("20", w.get("lb.cluster.web.backend.app.server.web1.lastchg"), "ages: the most recent");
        assertEquals("60", w.get("lb.cluster.web.daemon.CurrConns"), "daemon sums summed");
        assertEquals("50", w.get("lb.cluster.web.daemon.Idle_pct"), "daemon means averaged");
        assertEquals("3", w.get(self("Members")));
        assertEquals("3", w.get(self("Expected")));
        assertEquals("0", w.get(self("LatePolls")));
        assertEquals("0", w.get(self("RevisedWindows")));
        assertEquals(11, w.size(), "6 paths and 5 self metrics: " + w);
    }

    @Test
    void twoPollsOfOneLoadBalancerInAWindowCountOnceTheLaterEvenIfItArrivesFirst() {
        poll("lb1", B + 8, 10, 1, 1, 1);
        poll("lb1", B + 1, 1000, 1, 1, 1); // earlier poll, arriving later: the B+8 one stays
        poll("lb2", B + 5, 20, 1, 1, 1);
        poll("lb2", B + 9, 30, 1, 1, 1); // later poll replaces B+5
        poll("lb1", B + 40, 1, 1, 1, 1);
        poll("lb2", B + 40, 1, 1, 1, 1);
        Map<String, String> w = emitted().get(B);
        assertEquals("40", w.get(BIN));
        assertEquals("2", w.get(self("Members")));
    }

    @Test
    void aLoadBalancerThatStopsHoldsWindowsForIdleAtMostAndLeavesExpectedAfterExpectedWindows() {
        for (String lb : List.of("lb1", "lb2", "lb3")) {
            poll(lb, B + 1, 100, 1, 1, 1);
        }
        for (int i = 1; i <= 3; i++) { // lb3 stops; lb1 and lb2 go on, a poll each 10 s
            later(10);
            poll("lb1", B + 1 + 10 * i, 7, 1, 1, 1);
            poll("lb2", B + 1 + 10 * i, 7, 1, 1, 1);
        }
        assertTrue(emitted().isEmpty(), "lb3 silent for 30 s (idle): still holding [B, B+10)");
        for (int i = 4; i <= 8; i++) {
            later(10);
            poll("lb1", B + 1 + 10 * i, 7, 1, 1, 1);
            poll("lb2", B + 1 + 10 * i, 7, 1, 1, 1);
        }
        Map<Long, Map<String, String>> out = emitted();
        assertEquals("3", out.get(B).get(self("Members")));
        for (long w = B + 10; w <= B + 50; w += 10) {
            assertEquals("2", out.get(w).get(self("Members")), "window " + w);
            assertEquals("14", out.get(w).get(BIN), "window " + w + ": lb1's and lb2's values");
        }
        assertEquals("3", out.get(B + 10).get(self("Expected")), "lb3 reported a poll in the last 3 windows");
        assertEquals("3", out.get(B + 20).get(self("Expected")));
        assertEquals("2", out.get(B + 30).get(self("Expected")), "lb3's last poll, B+1, is 3 windows back");
        assertEquals("2", out.get(B + 50).get(self("Expected")));
        assertTrue(revisions().isEmpty(), "nothing to revise: lb3 sent nothing more");
    }

    @Test
    void anOutageWhoseBacklogOfOneLoadBalancerArrivesLastEndsWithEveryWindowComplete() {
        for (String lb : List.of("lb1", "lb2", "lb3")) {
            poll(lb, B + 1, 100, 1, 1, 1);
        }
        later(89); // the broker is down: nothing arrives, the edges keep their polls
        for (int i = 1; i <= 9; i++) { // lb2's and lb3's edges deliver their backlogs first
            poll("lb2", B + 1 + 10 * i, 20, 1, 1, 1);
            poll("lb3", B + 1 + 10 * i, 300, 1, 1, 1);
        }
        for (int i = 10; i <= 13; i++) { // then their live polls; lb1's edge is still behind
            later(10);
            poll("lb2", B + 1 + 10 * i, 20, 1, 1, 1);
            poll("lb3", B + 1 + 10 * i, 300, 1, 1, 1);
        }
        assertFalse(firstClosedShort(3).isEmpty(), "lb1 idle for 40 s: windows closed without it");
        for (int i = 1; i <= 13; i++) { // lb1's backlog arrives last
            poll("lb1", B + 1 + 10 * i, 4000, 1, 1, 1);
        }
        for (int i = 14; i <= 18; i++) {
            later(10);
            for (String lb : List.of("lb1", "lb2", "lb3")) {
                poll(lb, B + 1 + 10 * i, 1, 1, 1, 1);
            }
        }
        Map<Long, Map<String, String>> out = emitted();
        for (long w = B + 10; w <= B + 130; w += 10) {
            Map<String, String> lines = out.get(w);
            assertEquals("3", lines.get(self("Members")), "window " + w + " in the end has every member");
            assertEquals("4320", lines.get(BIN), "window " + w + ": the sum of the three");
            assertEquals("3", lines.get(self("Expected")), "window " + w);
        }
        List<Long> revised = revisions();
        assertEquals(firstClosedShort(3), revised, "each window closed short was revised, once");
        long counted = out.values().stream()
                .mapToLong(m -> Long.parseLong(m.getOrDefault(self("RevisedWindows"), "0")))
                .sum();
        assertEquals(revised.size(), counted, "RevisedWindows counts them in the later windows' lines");
    }

    @Test
    void aTaskTakenOverAfterLongerThanTheGraceLosesNoMember() {
        for (int i = 0; i <= 2; i++) {
            later(10);
            for (String lb : List.of("lb1", "lb2", "lb3")) {
                poll(lb, B + 1 + 10 * i, 10, 1, 1, 1);
            }
        }
        later(43); // the processor holding the task is killed; another restores it 43 s later
        for (int i = 3; i <= 9; i++) { // what was produced meanwhile, lb1's first
            poll("lb1", B + 1 + 10 * i, 10, 1, 1, 1);
        }
        for (int i = 3; i <= 9; i++) {
            poll("lb2", B + 1 + 10 * i, 10, 1, 1, 1);
            poll("lb3", B + 1 + 10 * i, 10, 1, 1, 1);
        }
        Map<Long, Map<String, String>> out = emitted();
        assertTrue(out.size() >= 5, "windows closed: " + out.keySet());
        out.forEach((w, lines) -> assertEquals("3", lines.get(self("Members")), "window " + w));
        assertTrue(firstClosedShort(3).isEmpty() && revisions().isEmpty(), "no window ever closed short");
    }

    @Test
    void aClockAheadClosesNoOtherLoadBalancersWindowsNorAnotherClustersOnThePartition() {
        long w0 = B + 100; // this machine's clock at the start
        for (int i = 0; i <= 12; i++) {
            later(10);
            poll("web", "lb1", w0 + 10 * i + 1, 10, 1, 1, 1);
            poll("web", "lb2", w0 + 10 * i + 46, 20, 1, 1, 1); // 45 s ahead, under the 60 s cut-off
            poll("api", "lb9", w0 + 10 * i + 1, 5, 1, 1, 1);
        }
        Map<Long, Map<String, String>> web = emitted("web");
        Map<Long, Map<String, String>> api = emitted("api");
        assertTrue(web.size() >= 6 && api.size() >= 6, "both clusters closed windows: " + web.keySet() + api.keySet());
        for (long w = w0 + 50; w <= w0 + 90; w += 10) {
            assertEquals("2", web.get(w).get(self("Members")), "web window " + w + ": lb1 and lb2");
            assertEquals("30", web.get(w).get(BIN), "web window " + w);
            assertEquals("1", api.get(w).get("lb.cluster.api.haproxystats.Members"), "api window " + w);
        }
        for (long w = w0; w <= w0 + 40; w += 10) {
            assertEquals("1", api.get(w).get("lb.cluster.api.haproxystats.Members"), "api window " + w);
            assertEquals("0", api.get(w).get("lb.cluster.api.haproxystats.LatePolls"), "api window " + w);
        }
        assertEquals(
                "0",
                web.values().stream()
                        .map(m -> m.get(self("LatePolls")))
                        .filter(v -> !v.equals("0"))
                        .findFirst()
                        .orElse("0"),
                "no poll of lb1 late");
    }

    @Test
    void aMembersSecondPollForAClosedWindowIsLateACopyOfACountedPollIsNothing() {
        poll("lb1", B + 1, 100, 1, 1, 1);
        poll("lb2", B + 2, 50, 1, 1, 1);
        poll("lb1", B + 31, 1, 1, 1, 1);
        poll("lb2", B + 31, 1, 1, 1, 1); // closes [B, B+10)
        poll("lb2", B + 8, 999, 1, 1, 1); // lb2 is in the closed window: late, left out
        poll("lb2", B + 8, 999, 1, 1, 1); // the same poll published again (at-least-once): counted once
        poll("lb1", B + 1, 100, 1, 1, 1); // a copy of a poll counted in the closed window: not late
        poll("lb1", B + 61, 1, 1, 1, 1);
        poll("lb2", B + 61, 1, 1, 1, 1); // closes [B+30, B+40) ([B+10, B+30) had no poll)
        Map<Long, Map<String, String>> out = emitted();
        assertEquals("150", out.get(B).get(BIN));
        assertEquals("0", out.get(B).get(self("LatePolls")));
        assertEquals("1", out.get(B + 30).get(self("LatePolls")), "the refused poll, once, in the next lines");
        assertTrue(revisions().isEmpty());
    }

    @Test
    void aPollFromTheFutureIsLeftOutAndHoldsNoWindow() {
        poll("lb1", B + 1, 100, 1, 1, 1);
        poll("lb2", B + 100_000, 1, 1, 1, 1); // a day ahead of the (driver's) clock
        poll("lb2", B + 100_000, 1, 1, 1, 1); // again
        assertTrue(emitted().isEmpty(), "the future poll moved no window");
        poll("lb1", B + 31, 1, 1, 1, 1);
        Map<String, String> w = emitted().get(B);
        assertEquals("1", w.get(self("FuturePolls")));
        assertEquals("1", w.get(self("Members")));
    }

    @Test
    void aClosedWindowKeepsItsAggregateNotItsMembersValues() throws Exception {
        List<ClusterValues> members = new ArrayList<>();
        long sent = 0;
        for (String lb : List.of("lb1", "lb2", "lb3")) {
            ClusterValues v = realValues(lb, B + 1);
            members.add(v);
            sent += v.encode().length;
        }
        int kept = ClusterWindows.closedBytes(members);
        System.out.printf(
                "a closed window of 3 load balancers (%d paths each): %d bytes kept (%d bytes of values sent)%n",
                members.get(0).paths().size(), kept, sent);
        assertTrue(members.get(0).paths().size() > 100, "a real poll's paths");
        assertTrue(kept < sent / 3, kept + " bytes kept for " + sent + " sent: less than one member's values");
    }

    /** A load balancer's values of a real poll (the small capture), computed as a central processor does. */
    private static ClusterValues realValues(String lb, long epoch) {
        ProcessConfig config = Fixtures.smallConfig();
        MetricPaths paths = new MetricPaths(config.graphite(), lb);
        PollComputation computation = new PollComputation(config.process(), paths, Clock.system());
        MetricBatch batch = computation
                .compute(
                        Long.toString(epoch),
                        Fixtures.files(Fixtures.small().resolve("1795224218")),
                        java.util.Set.of(),
                        java.util.Set.of())
                .batch();
        return ClusterValues.of(lb, epoch, batch, paths.prefix());
    }

    /**
     * Hostile records of the values topic (a producer allowed on it by mistake): a path holding a
     * newline that would forge another load balancer's line, NaN, infinity, an empty component,
     * '/', a space, a cluster key with a newline or a '.'. Each is refused whole; the partition
     * goes on, and the window's lines hold only the real load balancers' values.
     */
    @Test
    void hostileValuesRecordsAreRefusedAndThePartitionGoesOn() {
        poll("lb1", B + 1, 100, 1, 1, 1);
        List<List<String>> hostilePaths = List.of(
                List.of("frontend.www.bin 1 1\nloadbalancers.victim.haproxy.frontend.fe_main.scur"),
                List.of("frontend..bin"),
                List.of("frontend.w/w.bin"),
                List.of("frontend.w w.bin"),
                List.of("frontend.w;w=1.bin"),
                List.of(""));
        for (List<String> paths : hostilePaths) {
            values.pipeInput("web", new ClusterValues("evil", B + 2, paths, new double[] {7}).encode(), (B + 2) * 1000);
        }
        for (double v : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            values.pipeInput(
                    "web",
                    new ClusterValues("evil", B + 2, List.of("frontend.www.bin"), new double[] {v}).encode(),
                    (B + 2) * 1000);
        }
        ClusterValues fine = new ClusterValues("evil", B + 2, List.of("frontend.www.bin"), new double[] {7});
        for (String key : List.of("web\nlb.victim", "web.other", "x/../../..", "")) {
            values.pipeInput(key, fine.encode(), (B + 2) * 1000);
        }
        values.pipeInput(
                "web",
                new ClusterValues("evil\nlb", B + 2, List.of("frontend.www.bin"), new double[] {7}).encode(),
                (B + 2) * 1000);
        poll("lb2", B + 3, 200, 1, 1, 1);
        poll("lb1", B + 31, 1, 1, 1, 1);
        poll("lb2", B + 31, 1, 1, 1, 1); // both past [B, B+10)'s end plus the grace: it closes
        List<TestRecord<String, String>> out = lines.readRecordsToList();
        assertEquals(
                List.of("web"), out.stream().map(TestRecord::key).distinct().toList(), "no other key: " + out);
        for (TestRecord<String, String> r : out) {
            for (String line : r.value().split("\n")) {
                assertTrue(line.startsWith("lb.cluster.web."), line);
                assertEquals(3, line.split(" ").length, line);
                assertTrue(!line.contains("NaN") && !line.contains("Infinity"), line);
            }
        }
        Map<String, String> w = emitted(out).get(B);
        assertEquals("2", w.get(self("Members")), "only lb1 and lb2: " + w);
        assertEquals("300", w.get("lb.cluster.web.frontend.www.bin"), "no hostile value summed: " + w);
    }

    /** As {@link #emitted()}, of records read already. */
    private static Map<Long, Map<String, String>> emitted(List<TestRecord<String, String>> records) {
        Map<Long, Map<String, String>> out = new TreeMap<>();
        for (TestRecord<String, String> r : records) {
            for (String line : r.value().split("\n")) {
                String[] f = line.split(" ");
                out.computeIfAbsent(Long.parseLong(f[2]), k -> new TreeMap<>()).put(f[0], f[1]);
            }
        }
        return out;
    }
}
