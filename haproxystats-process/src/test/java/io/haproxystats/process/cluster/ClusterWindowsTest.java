package io.haproxystats.process.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.config.ClusterSettings;
import io.haproxystats.common.config.ConfigLoader;
import io.haproxystats.common.config.ProcessConfig;
import io.haproxystats.process.kafka.ClusterValues;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
 * The cluster topology run by Kafka's own test driver, time in hand: windows aligned to the epoch
 * on the polls' epochs, closed only after the grace, one poll per load balancer (the later),
 * values combined by nature, Members/Expected/LatePolls/FuturePolls. (Restoring the store from its
 * changelog after a kill is the real broker's part: ClusterAggregationIT.)
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
        values.pipeInput("web", v.encode(), epoch * 1000);
    }

    /** Window start (epoch seconds) to path to value, from every line emitted so far. */
    private Map<Long, Map<String, String>> emitted() {
        Map<Long, Map<String, String>> out = new TreeMap<>();
        for (TestRecord<String, String> r : lines.readRecordsToList()) {
            assertEquals("web", r.key());
            for (String line : r.value().split("\n")) {
                String[] f = line.split(" ");
                assertEquals(r.timestamp() / 1000, Long.parseLong(f[2]), "lines carry the window start: " + line);
                out.computeIfAbsent(Long.parseLong(f[2]), k -> new TreeMap<>()).put(f[0], f[1]);
            }
        }
        return out;
    }

    private static String self(String metric) {
        return "lb.cluster.web.haproxystats." + metric;
    }

    @Test
    void aWindowIsCombinedByNatureAndEmittedOnlyOnceClosed() {
        poll("lb1", B + 2, 100, 1, 30, 500);
        poll("lb2", B + 3, 200, 3, 70, 20);
        poll("lb3", B + 4, 300, 2, 50, 90);
        poll("lb1", B + 12, 1, 1, 1, 1);
        poll("lb1", B + 29, 1, 1, 1, 1); // stream time B+29: [B, B+10) closes at B+10+20
        assertTrue(emitted().isEmpty(), "nothing before the window's end plus the grace");

        poll("lb1", B + 30, 1, 1, 1, 1);
        Map<Long, Map<String, String>> out = emitted();
        assertEquals(List.of(B), new ArrayList<>(out.keySet()), "exactly the first window closed");
        Map<String, String> w = out.get(B);
        assertEquals("600", w.get("lb.cluster.web.frontend.www.bin"), "counters summed");
        assertEquals("2", w.get("lb.cluster.web.backend.app.weight"), "means averaged");
        assertEquals("70", w.get("lb.cluster.web.backend.app.rtime_max"), "maxima as max");
        assertEquals("20", w.get("lb.cluster.web.backend.app.server.web1.lastchg"), "ages: the most recent");
        assertEquals("60", w.get("lb.cluster.web.daemon.CurrConns"), "daemon sums summed");
        assertEquals("50", w.get("lb.cluster.web.daemon.Idle_pct"), "daemon means averaged");
        assertEquals("3", w.get(self("Members")));
        assertEquals("3", w.get(self("Expected")));
        assertEquals("0", w.get(self("LatePolls")));
        assertEquals(10, w.size(), "6 paths and 4 self metrics: " + w);
    }

    @Test
    void twoPollsOfOneLoadBalancerInAWindowCountOnceTheLaterEvenIfItArrivesFirst() {
        poll("lb1", B + 8, 10, 1, 1, 1);
        poll("lb1", B + 1, 1000, 1, 1, 1); // earlier poll, arriving later: the B+8 one stays
        poll("lb2", B + 5, 20, 1, 1, 1);
        poll("lb2", B + 9, 30, 1, 1, 1); // later poll replaces B+5
        poll("lb1", B + 40, 1, 1, 1, 1);
        Map<String, String> w = emitted().get(B);
        assertEquals("40", w.get("lb.cluster.web.frontend.www.bin"));
        assertEquals("2", w.get(self("Members")));
    }

    @Test
    void aMissingLoadBalancerShowsInMembersAndTheOthersStayIntact() {
        for (String lb : List.of("lb1", "lb2", "lb3")) {
            poll(lb, B + 1, 100, 1, 1, 1);
        }
        poll("lb1", B + 11, 7, 1, 1, 1); // lb2 and lb3 silent in [B+10, B+20)
        poll("lb2", B + 21, 5, 1, 1, 1);
        poll("lb1", B + 31, 5, 1, 1, 1);
        poll("lb1", B + 41, 5, 1, 1, 1);
        poll("lb1", B + 51, 5, 1, 1, 1);
        poll("lb1", B + 80, 5, 1, 1, 1);
        Map<Long, Map<String, String>> out = emitted();
        assertEquals("3", out.get(B).get(self("Members")));
        assertEquals("1", out.get(B + 10).get(self("Members")));
        assertEquals("3", out.get(B + 10).get(self("Expected")), "lb2, lb3 seen in the last 3 windows");
        assertEquals("7", out.get(B + 10).get("lb.cluster.web.frontend.www.bin"), "lb1's value alone");
        assertEquals("3", out.get(B + 20).get(self("Expected")), "lb3 was in [B, B+10), one of the last 3");
        assertEquals("2", out.get(B + 30).get(self("Expected")), "lb1, lb2: lb3 was 4 windows ago");
        assertEquals("2", out.get(B + 40).get(self("Expected")), "lb2 was in [B+20, B+30)");
        assertEquals("1", out.get(B + 50).get(self("Expected")), "lb2 not seen in the last 3 windows");
        assertEquals("1", out.get(B + 50).get(self("Members")));
    }

    @Test
    void aLatePollWithinGraceCountsBeyondGraceIsCountedAsLateOnly() {
        poll("lb1", B + 1, 100, 1, 1, 1);
        poll("lb1", B + 25, 1, 1, 1, 1); // stream time B+25: [B, B+10) open until B+30
        poll("lb2", B + 2, 50, 1, 1, 1); // late, within grace: counted
        poll("lb1", B + 31, 1, 1, 1, 1); // closes [B, B+10)
        poll("lb3", B + 3, 999, 1, 1, 1); // beyond grace: left out, counted
        poll("lb3", B + 3, 999, 1, 1, 1); // the same poll published again (at-least-once): counted once
        poll("lb1", B + 1, 100, 1, 1, 1); // a copy of a poll counted in the closed window: not late
        poll("lb1", B + 41, 1, 1, 1, 1); // closes [B+10, B+20): no poll there, no lines
        poll("lb1", B + 51, 1, 1, 1, 1); // closes [B+20, B+30)
        Map<Long, Map<String, String>> out = emitted();
        assertEquals("150", out.get(B).get("lb.cluster.web.frontend.www.bin"));
        assertEquals("2", out.get(B).get(self("Members")));
        assertEquals("0", out.get(B).get(self("LatePolls")));
        assertEquals("1", out.get(B + 20).get(self("LatePolls")), "the refused poll, once, in the next lines");
        assertEquals("1", out.get(B + 20).get("lb.cluster.web.frontend.www.bin"), "lb3's late value left out");
    }

    @Test
    void aPollFromTheFutureIsLeftOutAndDoesNotCloseWindows() {
        poll("lb1", B + 1, 100, 1, 1, 1);
        poll("lb2", B + 100_000, 1, 1, 1, 1); // a day ahead of the (driver's) clock
        poll("lb2", B + 100_000, 1, 1, 1, 1); // again
        assertTrue(emitted().isEmpty(), "the future poll moved no window");
        poll("lb1", B + 31, 1, 1, 1, 1);
        Map<String, String> w = emitted().get(B);
        assertEquals("1", w.get(self("FuturePolls")));
        assertEquals("1", w.get(self("Members")));
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
