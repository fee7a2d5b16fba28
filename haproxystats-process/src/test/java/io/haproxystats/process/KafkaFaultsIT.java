package io.haproxystats.process;

import static io.haproxystats.common.testing.Daemons.PROCESS;
import static io.haproxystats.common.testing.Daemons.PULL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.testing.CarbonRelay;
import io.haproxystats.common.testing.Daemons;
import io.haproxystats.common.testing.Entries;
import io.haproxystats.common.testing.HaproxyInstance;
import io.haproxystats.common.testing.KafkaCluster;
import io.haproxystats.common.testing.TestConfig;
import io.haproxystats.common.testing.Wait;
import io.haproxystats.process.kafka.PollContainer;
import io.haproxystats.process.kafka.PollRecord;
import io.haproxystats.process.testing.Fixtures;
import io.haproxystats.process.testing.GraphiteLines;
import io.haproxystats.process.testing.KafkaRecords;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The central setup's faults, each with real parts: a Kafka outage at the edge, a central processor
 * killed mid-batch, one broker of three killed, a poll over the message limit, garbage records.
 */
public class KafkaFaultsIT {

    private static final String POLLS = "haproxystats.polls";
    private static final Pattern FORWARDED = Pattern.compile("(\\d+): forwarded to " + Pattern.quote(POLLS));

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    @Test
    void edgeKeepsPollsThroughABrokerOutageThenSendsEachOnceInOrder() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        try (KafkaCluster kafka = KafkaCluster.start(tmp.resolve("kafka"), 2);
                HaproxyInstance haproxy = HaproxyInstance.start(run, "lb1")) {
            Path conf = Files.writeString(
                    tmp.resolve("edge.conf"),
                    KafkaEndToEndIT.edge(tmp.resolve("lb1"), run, kafka.bootstrapServers(), "lb1"));
            Path edgeLog = tmp.resolve("edge.log");
            Process edge = Daemons.start(PROCESS, conf, edgeLog);
            Process pull = Daemons.start(PULL, conf, tmp.resolve("pull.log"));
            Wait.until(Duration.ofSeconds(60), () -> forwarded(edgeLog).size() >= 2, "2 polls forwarded");

            kafka.kill(0);
            long outageStart = System.nanoTime();
            Path incoming = tmp.resolve("lb1/incoming");
            Wait.until(Duration.ofSeconds(40), () -> Entries.count(incoming) >= 10, "polls waiting in incoming/");
            long left = Duration.ofSeconds(30).toNanos() - (System.nanoTime() - outageStart);
            if (left > 0) {
                Thread.sleep(left / 1_000_000); // the outage lasts 30 s, as an operator's would
            }
            assertTrue(edge.isAlive(), "the edge runs through the outage");
            Set<String> waited = names(incoming);
            assertTrue(waited.size() >= 20, "polls kept during 30 s: " + waited);
            assertTrue(Daemons.read(edgeLog).contains("cannot deliver"), "the outage is logged");

            kafka.restart(0);
            Wait.until(
                    Duration.ofSeconds(150),
                    () -> forwarded(edgeLog).containsAll(waited),
                    "the waiting polls forwarded after the outage");
            Daemons.stop(pull);
            Wait.until(Duration.ofSeconds(30), () -> Entries.count(incoming) == 0, "incoming/ drained");
            Daemons.stop(edge);

            List<String> onTopic = KafkaRecords.readAll(kafka.bootstrapServers(), POLLS).stream()
                    .peek(r -> assertEquals("lb1", KafkaRecords.key(r)))
                    .map(PollRecord::pollName)
                    .toList();
            for (int i = 1; i < onTopic.size(); i++) {
                assertTrue(onTopic.get(i - 1).compareTo(onTopic.get(i)) < 0, "in order, each once: " + onTopic);
            }
            assertTrue(onTopic.containsAll(waited), "every poll that waited arrived");
            assertEquals(forwarded(edgeLog), new TreeSet<>(onTopic), "the topic holds exactly the forwarded polls");
        }
    }

    @Test
    void aCentralProcessorKilledMidBatchLosesNoPollAndRepeatsOnlyIdenticalLines() throws Exception {
        try (KafkaCluster kafka = KafkaCluster.start(tmp.resolve("kafka"), 4);
                CarbonRelay relay = CarbonRelay.start(tmp)) {
            String bootstrap = kafka.bootstrapServers();
            List<Process> centrals = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                centrals.add(startCentral(tmp.resolve("central" + i), bootstrap, relay.port()));
            }
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            Set<String> expected = new TreeSet<>();
            for (int i = 0; i < 40; i++) {
                for (String lb : KafkaEndToEndIT.LBS) {
                    String poll = Long.toString(1795224218L + 10L * i);
                    records.add(pollRecord(lb, poll, smallPoll()));
                    expected.add(lb + " " + poll);
                }
            }
            KafkaRecords.produce(bootstrap, records);
            Wait.until(Duration.ofSeconds(60), () -> delivered(relay).size() >= 10, "the first polls delivered");
            Daemons.kill(centrals.get(0)); // -9, in the middle of its records
            Wait.until(
                    Duration.ofSeconds(120),
                    () -> delivered(relay).containsAll(expected),
                    "all 120 polls delivered by the survivor");
            Daemons.stop(centrals.get(1));

            // Duplicates are allowed (the killed one's uncommitted records are processed again),
            // but only as the same value for the same path and time.
            Map<String, String> seen = new HashMap<>();
            for (String line : relay.lines()) {
                if (line.contains(".haproxystats.") && !line.contains(".haproxystats.Metrics")) {
                    continue; // timings and queue figures of the computation itself
                }
                GraphiteLines.Line l = GraphiteLines.Line.of(line);
                String before = seen.putIfAbsent(l.path() + " " + l.timestamp(), l.value());
                assertTrue(
                        before == null || before.equals(l.value()),
                        "a replay changed " + line + " (was " + before + ")");
            }
        }
    }

    @Test
    void oneBrokerOfThreeKilledLosesNoPoll() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        try (KafkaCluster kafka = KafkaCluster.start(tmp.resolve("kafka"), 3, 2);
                CarbonRelay relay = CarbonRelay.start(tmp);
                HaproxyInstance haproxy = HaproxyInstance.start(run, "lb1")) {
            String bootstrap = kafka.bootstrapServers();
            Process central = startCentral(tmp.resolve("central"), bootstrap, relay.port());
            Path conf = Files.writeString(
                    tmp.resolve("edge.conf"), KafkaEndToEndIT.edge(tmp.resolve("lb1"), run, bootstrap, "lb1"));
            Path edgeLog = tmp.resolve("edge.log");
            Process edge = Daemons.start(PROCESS, conf, edgeLog);
            Process pull = Daemons.start(PULL, conf, tmp.resolve("pull.log"));
            Wait.until(
                    Duration.ofSeconds(60),
                    () -> KafkaEndToEndIT.polls(relay, "lb1").size() >= 3,
                    "3 polls");
            kafka.kill(0);
            Set<String> before = forwarded(edgeLog);
            Wait.until(
                    Duration.ofSeconds(60),
                    () -> forwarded(edgeLog).size() >= before.size() + 5,
                    "5 more polls forwarded with two brokers of three");
            Daemons.stop(pull);
            Wait.until(Duration.ofSeconds(30), () -> Entries.count(tmp.resolve("lb1/incoming")) == 0, "drained");
            Daemons.stop(edge);
            Set<String> all = forwarded(edgeLog);
            Wait.until(
                    Duration.ofSeconds(60),
                    () -> KafkaEndToEndIT.polls(relay, "lb1").containsAll(all),
                    "every acknowledged poll at the relay");
            Daemons.stop(central);
            assertEquals(all, KafkaEndToEndIT.polls(relay, "lb1"), "each acknowledged poll, no other");
        }
    }

    @Test
    void theKafkaDispatcherKeepsPollsUntilTheBrokerTookTheirLines() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        try (KafkaCluster kafka = KafkaCluster.start(tmp.resolve("kafka"), 2);
                CarbonRelay relay = CarbonRelay.start(tmp);
                HaproxyInstance haproxy = HaproxyInstance.start(run, "lb1")) {
            Path base = tmp.resolve("lb1");
            Path conf = Files.writeString(
                    tmp.resolve("local.conf"),
                    TestConfig.spool(base, run)
                            + TestConfig.toGraphite(relay.port(), "lb")
                            + "retries = 2\ninterval = 0.5\ndelay = 1\n"
                            + "[kafka]\nbootstrap-servers = " + kafka.bootstrapServers() + "\n"
                            + "[kafka-dispatch]\ntopic = haproxystats.metrics\n");
            Process process = Daemons.start(PROCESS, conf, tmp.resolve("process.log"));
            Process pull = Daemons.start(PULL, conf, tmp.resolve("pull.log"));
            Wait.until(Duration.ofSeconds(60), () -> relayPolls(relay).size() >= 2, "2 polls at the relay");
            kafka.kill(0);
            Path incoming = base.resolve("incoming");
            Wait.until(
                    Duration.ofSeconds(60),
                    () -> Entries.count(incoming) >= 5,
                    "polls kept in incoming/ while Kafka cannot take their lines");
            assertTrue(process.isAlive());
            kafka.restart(0);
            Daemons.stop(pull);
            Wait.until(Duration.ofSeconds(120), () -> Entries.count(incoming) == 0, "every poll delivered to both");
            Daemons.stop(process);

            Set<String> onTopic = new TreeSet<>();
            for (ConsumerRecord<byte[], byte[]> r :
                    KafkaRecords.readAll(kafka.bootstrapServers(), "haproxystats.metrics")) {
                onTopic.add(new String(r.value(), StandardCharsets.UTF_8));
            }
            Set<String> atRelay = relayPolls(relay);
            assertTrue(atRelay.size() >= 7, atRelay.toString());
            for (String poll : atRelay) {
                // A poll retried for Kafka alone is computed again: its own timings differ, its statistics do not.
                Set<String> relayLines = KafkaEndToEndIT.comparable(relay.lines(), "", poll);
                Set<String> topicLines = KafkaEndToEndIT.comparable(List.copyOf(onTopic), "", poll);
                assertTrue(relayLines.size() > 50, poll + ": " + relayLines.size());
                assertEquals(relayLines, topicLines, poll + ": the metrics topic has the relay's lines");
            }
        }
    }

    /** Poll timestamps at the relay of a processor without hostname in its paths. */
    private static Set<String> relayPolls(CarbonRelay relay) {
        try {
            return GraphiteLines.pollTimestamps(relay.lines());
        } catch (IOException e) {
            return Set.of();
        }
    }

    @Test
    void aCentralProcessorsStatusCountsThePollsWaitingInTheTopic() throws Exception {
        try (KafkaCluster kafka = KafkaCluster.start(tmp.resolve("kafka"), 2)) {
            String bootstrap = kafka.bootstrapServers();
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                records.add(pollRecord("lb9", Long.toString(1795224218L + 10L * i), smallPoll()));
            }
            KafkaRecords.produce(bootstrap, records);
            int graphitePort = HaproxyInstance.freePort(); // nothing listens yet: Graphite is down
            Path base = tmp.resolve("central");
            Process central = startCentral(base, bootstrap, graphitePort);
            Path status = base.resolve("haproxystats-process.status");
            Wait.until(
                    Duration.ofSeconds(60),
                    () -> statusSays(status, "incoming=10") && statusSays(status, "graphite=unreachable"),
                    "the status file: 10 polls waiting in the topic, Graphite unreachable");
            try (CarbonRelay relay = CarbonRelay.start(tmp, graphitePort)) {
                Wait.until(
                        Duration.ofSeconds(60),
                        () -> KafkaEndToEndIT.polls(relay, "lb9").size() == 10,
                        "the 10 polls delivered once Graphite is back");
                Wait.until(Duration.ofSeconds(30), () -> statusSays(status, "incoming=0"), "nothing waiting");
                Daemons.stop(central);
            }
        }
    }

    private static boolean statusSays(Path status, String line) {
        try {
            return Files.exists(status) && Files.readAllLines(status).contains(line);
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void aPollOverTheMessageLimitIsKeptWithTheLimitNamedAndTheNextGoesOn() throws Exception {
        try (KafkaCluster kafka = KafkaCluster.start(tmp.resolve("kafka"), 1)) {
            String bootstrap = kafka.bootstrapServers();
            KafkaRecords.createTopic(bootstrap, POLLS, 1, 1, Map.of("max.message.bytes", "20000"));
            Path base = tmp.resolve("lb1");
            Path incoming = Files.createDirectories(base.resolve("incoming"));
            byte[] noise = new byte[300_000];
            new Random(7).nextBytes(noise); // incompressible: over the limit after compression too
            Files.write(Files.createDirectories(incoming.resolve("1795224218")).resolve("lb1.sock_stat"), noise);
            Files.writeString(
                    Files.createDirectories(incoming.resolve("1795224228")).resolve("lb1.sock_info"),
                    "Name: HAProxy\n");
            Path conf = Files.writeString(
                    tmp.resolve("edge.conf"), TestConfig.paths(base) + TestConfig.forward(bootstrap, "lb1"));
            Path log = tmp.resolve("edge.log");
            Process edge = Daemons.start(PROCESS, conf, log);
            Wait.until(Duration.ofSeconds(60), () -> Entries.count(incoming) == 0, "both polls dealt with");
            Daemons.stop(edge);
            String text = Daemons.read(log);
            assertTrue(
                    Pattern.compile(
                                    "1795224218: \\d+ bytes compressed \\(300028 before\\), over the message limit of topic "
                                            + Pattern.quote(POLLS))
                            .matcher(text)
                            .find(),
                    text);
            assertTrue(text.contains("(max.message.bytes = 20000)"), text);
            assertTrue(text.contains("Raise the topic's max.message.bytes"), text);
            assertTrue(Files.exists(base.resolve("quarantine/1795224218/lb1.sock_stat")), "kept in quarantine");
            List<ConsumerRecord<byte[], byte[]>> records = KafkaRecords.readAll(bootstrap, POLLS);
            assertEquals(
                    List.of("1795224228"),
                    records.stream().map(PollRecord::pollName).toList());
        }
    }

    @Test
    void garbageRecordsGoToQuarantineAndThePartitionGoesOn() throws Exception {
        try (KafkaCluster kafka = KafkaCluster.start(tmp.resolve("kafka"), 1);
                CarbonRelay relay = CarbonRelay.start(tmp)) {
            String bootstrap = kafka.bootstrapServers();
            KafkaRecords.createTopic(bootstrap, POLLS, 1, 1, Map.of());
            byte[] lb9 = "lb9".getBytes(StandardCharsets.UTF_8);
            byte[] junk = "junk".getBytes(StandardCharsets.UTF_8);
            ProducerRecord<byte[], byte[]> newer = pollRecord("lb9", "1795224218", smallPoll());
            newer.headers().remove(PollRecord.FORMAT_HEADER).add(PollRecord.FORMAT_HEADER, "2".getBytes());
            ProducerRecord<byte[], byte[]> badName = pollRecord("lb9", "yesterday", smallPoll());
            ProducerRecord<byte[], byte[]> noKey = pollRecord("lb9", "1795224218", smallPoll());
            ProducerRecord<byte[], byte[]> wrongSize = pollRecord("lb9", "1795224218", smallPoll());
            long size = Long.parseLong(new String(
                    wrongSize.headers().lastHeader(PollRecord.SIZE_HEADER).value()));
            wrongSize
                    .headers()
                    .remove(PollRecord.SIZE_HEADER)
                    .add(PollRecord.SIZE_HEADER, Long.toString(size + 1).getBytes());
            KafkaRecords.produce(
                    bootstrap,
                    List.of(
                            new ProducerRecord<>(POLLS, lb9, junk),
                            new ProducerRecord<>(POLLS, 0, null, lb9, junk, headers("1795224218", 100)),
                            new ProducerRecord<>(POLLS, 0, null, null, noKey.value(), noKey.headers()),
                            newer,
                            badName,
                            new ProducerRecord<>(POLLS, 0, null, lb9, null, headers("1795224218", 100)),
                            wrongSize,
                            pollRecord("lb9", "1795224228", smallPoll())));
            Path base = tmp.resolve("central");
            Process central = startCentral(base, bootstrap, relay.port());
            Wait.until(
                    Duration.ofSeconds(60),
                    () -> KafkaEndToEndIT.polls(relay, "lb9").contains("1795224228"),
                    "the valid record after the garbage delivered");
            Daemons.stop(central); // exit 0: the consumer never failed
            List<String> reasons = new ArrayList<>();
            try (Stream<Path> kept = Files.list(base.resolve("quarantine"))) {
                for (Path k : kept.sorted().toList()) {
                    reasons.add(k.getFileName() + ": "
                            + Files.readString(k.resolve("REASON"))
                                    .lines()
                                    .toList()
                                    .get(1));
                }
            }
            assertEquals(
                    List.of(
                            "0.kafka-haproxystats.polls-0-0: header haproxystats-format is missing, this processor reads 1",
                            "0.kafka-haproxystats.polls-0-1: not a zstd frame of a poll container: (zstd's reason)",
                            "0.kafka-haproxystats.polls-0-2: the key (the load balancer's name) is missing or not UTF-8",
                            "0.kafka-haproxystats.polls-0-3: header haproxystats-format is '2', this processor reads 1",
                            "0.kafka-haproxystats.polls-0-4: header haproxystats-poll is 'yesterday', expected the poll's "
                                    + "epoch seconds",
                            "0.kafka-haproxystats.polls-0-5: no value (a tombstone), not a poll container",
                            "0.kafka-haproxystats.polls-0-6: the zstd frame holds " + size + " bytes, " + (size + 1)
                                    + " announced"),
                    reasons.stream()
                            .map(r -> r.replaceFirst("(not a zstd frame of a poll container: ).+", "$1(zstd's reason)"))
                            .toList());
            assertEquals(Set.of("1795224228"), KafkaEndToEndIT.polls(relay, "lb9"));
        }
    }

    /**
     * The cluster lines topic is input too: records a rogue producer writes there (a key
     * {@code x/../../..}, a line forging another load balancer's path, NaN, a key with a newline)
     * are refused, counted, kept in quarantine with the reason and never reach Graphite or a
     * directory outside local-store; the valid lines around them are delivered and the partition
     * goes on.
     */
    @Test
    void hostileClusterLinesRecordsAreRefusedAndNeverLeaveTheirPlace() throws Exception {
        try (KafkaCluster kafka = KafkaCluster.start(tmp.resolve("kafka"), 1);
                CarbonRelay relay = CarbonRelay.start(tmp)) {
            String bootstrap = kafka.bootstrapServers();
            String topic = "haproxystats.cluster-lines";
            KafkaRecords.createTopic(bootstrap, topic, 1, 1, Map.of());
            long t = 1795224210L;
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (String[] kv : new String[][] {
                {"x/../../..", "lb.cluster.x.frontend.www.bin 1 " + t},
                {
                    "web",
                    "lb.cluster.web.frontend.www.bin 1 " + t + "\nlb.victim.haproxy.frontend.fe_main.scur 31337 " + t
                },
                {"web", "lb.cluster.web.frontend.www.bin NaN " + t + "\nlb.cluster.web.a..b 1 " + t},
                {"web\nlb", "lb.cluster.web\nlb.frontend.www.bin 1 " + t},
                {"web", "lb.cluster.web.frontend.www.bout 5 " + (t + 10)}
            }) {
                records.add(new ProducerRecord<>(
                        topic,
                        0,
                        kv[1].endsWith(" " + t) ? t * 1000 : (t + 10) * 1000,
                        kv[0].getBytes(StandardCharsets.UTF_8),
                        (kv[1] + "\n").getBytes(StandardCharsets.UTF_8)));
            }
            KafkaRecords.produce(bootstrap, records);
            Path base = tmp.resolve("lines").resolve("central");
            Path conf = Files.writeString(
                    tmp.resolve("lines-central.conf"),
                    KafkaEndToEndIT.central(base, bootstrap, relay.port())
                            + "[cluster]\naggregate = true\n[local-store]\n");
            Process central = Daemons.start(PROCESS, conf, tmp.resolve("lines-central.log"));
            Wait.until(
                    Duration.ofSeconds(90),
                    () -> {
                        try {
                            return relay.lines().contains("lb.cluster.web.frontend.www.bout 5 " + (t + 10));
                        } catch (IOException e) {
                            return false;
                        }
                    },
                    "the valid record after the hostile ones delivered");
            Daemons.stop(central); // exit 0: the consumer never failed
            List<String> relayed = relay.lines().stream()
                    .filter(l -> l.startsWith("lb.cluster.") || l.startsWith("lb.victim") || l.startsWith("lb.lb"))
                    .toList();
            assertEquals(
                    List.of("lb.cluster.web.frontend.www.bin 1 " + t, "lb.cluster.web.frontend.www.bout 5 " + (t + 10)),
                    relayed.stream().sorted().toList(),
                    "only the valid lines reach Graphite");
            List<String> reasons = new ArrayList<>();
            try (Stream<Path> kept = Files.list(base.resolve("quarantine"))) {
                for (Path k : kept.sorted().toList()) {
                    List<String> reason =
                            Files.readString(k.resolve("REASON")).lines().toList();
                    reasons.add(k.getFileName() + ": " + String.join(" | ", reason.subList(1, reason.size())));
                }
            }
            assertEquals(
                    List.of(
                            t + ".kafka-" + topic + "-0-0: refused whole: the key 'x/../../..' is not a cluster's name"
                                    + " (one path component: no '.', '/', ';', space or control character, at most 4096"
                                    + " characters)",
                            t + ".kafka-" + topic + "-0-1: 1 line(s) left out, 1 sent | line 2:"
                                    + " 'lb.victim.haproxy.frontend.fe_main.scur 31337 " + t
                                    + "': the path is not under"
                                    + " lb.cluster.web. (the record's cluster)",
                            t + ".kafka-" + topic
                                    + "-0-2: 2 line(s) left out, 0 sent | line 1: 'lb.cluster.web.frontend"
                                    + ".www.bin NaN " + t + "': the value is not a finite decimal number | line 2:"
                                    + " 'lb.cluster.web.a..b 1 " + t + "': the path has an empty component",
                            t + ".kafka-" + topic + "-0-3: refused whole: the key 'web\\u000alb' is not a cluster's"
                                    + " name (one path component: no '.', '/', ';', space or control character, at most"
                                    + " 4096 characters)"),
                    reasons);
            // Nothing written outside the processor's own directories.
            try (Stream<Path> around = Files.list(base.getParent())) {
                assertEquals(List.of(base), around.toList());
            }
            try (Stream<Path> store = Files.list(base.resolve("local-store"))) {
                assertEquals(
                        List.of("cluster-web-" + t, "cluster-web-" + (t + 10)),
                        store.map(p -> p.getFileName().toString()).sorted().toList());
            }
        }
    }

    private Process startCentral(Path base, String bootstrap, int relayPort) throws IOException {
        // Short sessions: a killed consumer's partitions move within seconds, not the default 45 s.
        Path conf = Files.writeString(
                base.resolveSibling(base.getFileName() + ".conf"),
                KafkaEndToEndIT.central(base, bootstrap, relayPort)
                        + "client.session.timeout.ms = 6000\nclient.heartbeat.interval.ms = 1000\n");
        return Daemons.start(PROCESS, conf, base.resolveSibling(base.getFileName() + ".log"));
    }

    public static RecordHeaders headers(String poll, long size) {
        RecordHeaders h = new RecordHeaders();
        h.add(PollRecord.FORMAT_HEADER, "1".getBytes(StandardCharsets.US_ASCII));
        h.add(PollRecord.POLL_HEADER, poll.getBytes(StandardCharsets.UTF_8));
        h.add(PollRecord.SIZE_HEADER, Long.toString(size).getBytes(StandardCharsets.US_ASCII));
        return h;
    }

    /** A record as the edge makes it. */
    public static ProducerRecord<byte[], byte[]> pollRecord(String lb, String poll, SortedMap<String, byte[]> files) {
        PollContainer.Compressed c = PollContainer.compress(files);
        return new ProducerRecord<>(
                POLLS, null, null, lb.getBytes(StandardCharsets.UTF_8), c.value(), headers(poll, c.size()));
    }

    /** The first poll of the real HAProxy captures (4 instances). */
    public static SortedMap<String, byte[]> smallPoll() throws IOException {
        SortedMap<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(Fixtures.small().resolve("1795224218"))) {
            for (Path p : s.toList()) {
                files.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return files;
    }

    /** {@code lb poll} of every poll at the relay. */
    private static Set<String> delivered(CarbonRelay relay) {
        try {
            return relay.lines().stream()
                    .filter(l -> l.contains(".haproxy.haproxystats.TotalWallClockTime "))
                    .map(l -> l.split("\\.")[1] + " " + GraphiteLines.Line.of(l).timestamp())
                    .collect(Collectors.toSet());
        } catch (IOException e) {
            return Set.of();
        }
    }

    /** The polls the edge logged as acknowledged. */
    private static Set<String> forwarded(Path log) {
        Set<String> out = new TreeSet<>();
        Matcher m = FORWARDED.matcher(Daemons.read(log));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith("."))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
