package io.haproxystats.process;

import static io.haproxystats.common.testing.Daemons.PROCESS;
import static io.haproxystats.common.testing.Daemons.PULL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.junit.jupiter.api.AfterEach;
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

    /** Central processors and edges a test started: killed after it when a failed assertion left them running. */
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (Process p : started) {
            if (p.isAlive()) {
                Daemons.kill(p);
            }
        }
    }

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
            // A Graphite outage keeps the consumers waiting with their records in hand: they are still
            // connected, so Kafka stays reachable past the 15 s after which an outage would be said.
            long seen = updated(status);
            Wait.until(Duration.ofSeconds(60), () -> updated(status) >= seen + 20, "20 s more of Graphite outage");
            assertTrue(statusSays(status, "kafka=reachable"), Files.readString(status));
            try (CarbonRelay relay = CarbonRelay.start(tmp, graphitePort)) {
                Wait.until(
                        Duration.ofSeconds(60),
                        () -> KafkaEndToEndIT.polls(relay, "lb9").size() == 10,
                        "the 10 polls delivered once Graphite is back");
                Wait.until(Duration.ofSeconds(30), () -> statusSays(status, "incoming=0"), "nothing waiting");
                assertTrue(statusSays(status, "kafka=reachable"), Files.readString(status));

                // A Kafka outage (issue 27, item 7): the status file says so, the nagios check warns
                // (answering without a JVM, from the status file), the log says it once.
                kafka.stop(0);
                Wait.until(
                        Duration.ofSeconds(90),
                        () -> statusSays(status, "kafka=unreachable"),
                        "the status file: Kafka unreachable");
                OperationsIT.Result check =
                        OperationsIT.checkWithoutJvm("check_haproxystats_process", tmp.resolve("central.conf"));
                assertEquals(1, check.exit(), check.out());
                assertTrue(
                        check.out().startsWith("WARNING: haproxystats-process (pid " + central.pid() + "): ")
                                && check.out().contains("Graphite reachable")
                                && check.out().contains("Kafka unreachable"),
                        check.out());
                kafka.restart(0);
                Wait.until(
                        Duration.ofSeconds(90), () -> statusSays(status, "kafka=reachable"), "Kafka reachable again");
                Daemons.stop(central);
                String log = Daemons.read(tmp.resolve("central.log"));
                assertEquals(
                        1,
                        log.lines()
                                .filter(l -> l.contains("WARN")
                                        && l.contains(
                                                "kafka: no consumer of " + POLLS + " has reached a broker for 15 s"))
                                .count(),
                        log);
                assertTrue(log.contains("kafka: the consumers of " + POLLS + " reach the brokers again"), log);
                // It has no incoming/ (issue 27, item 10): none made, none named where polls wait.
                assertFalse(Files.exists(base.resolve("incoming")), "a central processor makes no incoming/");
                assertTrue(log.contains("polls wait in the Kafka topic (their records are not committed)"), log);
                assertFalse(log.contains("incoming/"), log);
            }
        }
    }

    /** The status file's {@code updated} (the daemon's clock), 0 when it cannot be read. */
    private static long updated(Path status) {
        try {
            return Files.readAllLines(status).stream()
                    .filter(l -> l.startsWith("updated="))
                    .mapToLong(l -> Long.parseLong(l.substring("updated=".length())))
                    .findFirst()
                    .orElse(0);
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private static boolean statusSays(Path status, String line) {
        try {
            return Files.exists(status) && Files.readAllLines(status).contains(line);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Central processors of one group with different path-forming options moved a load
     * balancer's series between namespaces at each rebalance, undetected (issue 27, item 8): each
     * says so, naming the other's consumers and its own options.
     */
    @Test
    void centralProcessorsOfOneGroupWithOtherPathOptionsSayIt() throws Exception {
        try (KafkaCluster kafka = KafkaCluster.start(tmp.resolve("kafka"), 2)) {
            String bootstrap = kafka.bootstrapServers();
            KafkaRecords.createTopic(bootstrap, POLLS, 2, 1, Map.of());
            int graphite = HaproxyInstance.freePort(); // Graphite down: not what this is about
            Path confA = Files.writeString(
                    tmp.resolve("a.conf"), KafkaEndToEndIT.central(tmp.resolve("a"), bootstrap, graphite));
            Path confB = Files.writeString(
                    tmp.resolve("b.conf"),
                    KafkaEndToEndIT.central(tmp.resolve("b"), bootstrap, graphite)
                            .replace("namespace = lb\n", "namespace = other\n"));
            Path logA = tmp.resolve("a.log");
            Path logB = tmp.resolve("b.log");
            Process a = Daemons.start(PROCESS, confA, logA);
            Process b = Daemons.start(PROCESS, confB, logB);
            started.addAll(List.of(a, b));
            String said = "forms metric paths with other options than this processor";
            Wait.until(
                    Duration.ofSeconds(150),
                    () -> Daemons.read(logA).contains(said)
                            && Daemons.read(logB).contains(said),
                    "both central processors name the other's consumers");
            Daemons.stop(a);
            Daemons.stop(b);
            String a1 = Daemons.read(logA)
                    .lines()
                    .filter(l -> l.contains(said))
                    .findFirst()
                    .orElseThrow();
            assertTrue(
                    a1.contains("WARN")
                            && a1.contains("consumer group haproxystats-process: member haproxystats-process-")
                            && a1.contains("(namespace=lb prefix-hostname=true fqdn=true, hash "),
                    a1);
            assertTrue(Daemons.read(logB).contains("(namespace=other prefix-hostname=true fqdn=true, hash "));
            // Once a member: b has 2 consumers (workers = 2).
            assertEquals(
                    2, Daemons.read(logA).lines().filter(l -> l.contains(said)).count(), Daemons.read(logA));
        }
    }

    /**
     * An edge whose brokers cannot be reached logged Kafka's "Topic haproxystats.polls not present
     * in metadata after 60000 ms" (issue 27, item 10): it says it cannot reach any broker.
     */
    @Test
    void anEdgeThatReachesNoBrokerSaysSo() throws Exception {
        Path base = tmp.resolve("lb1");
        Path incoming = Files.createDirectories(base.resolve("incoming"));
        Files.writeString(
                Files.createDirectories(incoming.resolve("1795224218")).resolve("lb1.sock_info"), "Name: HAProxy\n");
        Path conf = Files.writeString(
                tmp.resolve("edge.conf"), """
                [paths]
                base-dir = %s
                [process]
                src-dir = ${paths:base-dir}/incoming
                mode = forward
                [kafka]
                bootstrap-servers = 127.0.0.1:%d
                host = lb1
                client.max.block.ms = 2000
                """.formatted(base, HaproxyInstance.freePort())); // nothing listens there
        Path log = tmp.resolve("edge.log");
        Process edge = Daemons.start(PROCESS, conf, log);
        started.add(edge);
        Wait.until(Duration.ofSeconds(60), () -> Daemons.read(log).contains("cannot deliver"), "the failure logged");
        Daemons.stop(edge);
        String line = Daemons.read(log)
                .lines()
                .filter(l -> l.contains("cannot deliver"))
                .findFirst()
                .orElseThrow();
        assertTrue(
                line.contains("kafka topic " + POLLS + ": cannot deliver 1795224218 (cannot reach any broker of [kafka]"
                        + " bootstrap-servers); polls stay in src-dir"),
                line);
        assertFalse(line.contains("not present in metadata"), line);
        assertEquals(List.of("1795224218"), List.copyOf(names(incoming)), "the poll waits");
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

    /**
     * A poll dated two hours ahead (the load balancer's clock jumped, then came back) against a
     * broker with Kafka 4's default {@code log.message.timestamp.after.max.ms} (1 h): the edge
     * forwards it and the polls around it, a central processor that aggregates (its values record
     * too) delivers all three with their own times, and neither side stalls.
     */
    @Test
    void aPollDatedMoreThanAnHourAheadIsForwardedAndHoldsNoPollBack() throws Exception {
        try (KafkaCluster kafka = KafkaCluster.start(tmp.resolve("kafka"), 1);
                CarbonRelay relay = CarbonRelay.start(tmp)) {
            String bootstrap = kafka.bootstrapServers();
            KafkaRecords.createTopic(bootstrap, POLLS, 1, 1, Map.of()); // the broker's defaults
            long now = System.currentTimeMillis() / 1000;
            String before = Long.toString(now - 20);
            String ahead = Long.toString(now + 7200);
            String after = Long.toString(now - 10);
            Path base = tmp.resolve("lb1");
            Path incoming = Files.createDirectories(base.resolve("incoming"));
            writePoll(incoming, before);
            writePoll(incoming, ahead);
            Path conf = Files.writeString(
                    tmp.resolve("edge.conf"), TestConfig.paths(base) + TestConfig.forward(bootstrap, "lb1"));
            Path edgeLog = tmp.resolve("edge.log");
            List<Process> daemons = new ArrayList<>(); // killed if the test fails before it stops them
            try {
                Process edge = Daemons.start(PROCESS, conf, edgeLog);
                daemons.add(edge);
                Path centralBase = tmp.resolve("central");
                Process central = Daemons.start(
                        PROCESS,
                        Files.writeString(
                                tmp.resolve("central.conf"),
                                KafkaEndToEndIT.central(centralBase, bootstrap, relay.port())
                                        + "[cluster]\naggregate = true\n[clusters]\nweb = ^lb1$$\n"),
                        tmp.resolve("central.log"));
                daemons.add(central);
                Wait.until(
                        Duration.ofSeconds(60), () -> forwarded(edgeLog).contains(before), "the first poll forwarded");
                writePoll(incoming, after); // a poll pulled after the one dated ahead
                Wait.until(
                        Duration.ofSeconds(60),
                        () -> forwarded(edgeLog).equals(new TreeSet<>(Set.of(before, ahead, after))),
                        "every poll forwarded, the one dated ahead included");
                assertEquals(0, Entries.count(incoming), "nothing left in incoming/");
                assertTrue(
                        statusSays(base.resolve("haproxystats-process.status"), "kafka=reachable"),
                        "the edge reports Kafka reachable");
                Wait.until(
                        Duration.ofSeconds(60),
                        () -> KafkaEndToEndIT.polls(relay, "lb1").equals(Set.of(before, ahead, after)),
                        "the central processor delivered the three polls, each at its own time");
                // Done means every dispatcher and the values topic took it: then its offset is committed.
                Path centralLog = tmp.resolve("central.log");
                Wait.until(
                        Duration.ofSeconds(60),
                        () -> Stream.of(before, ahead, after)
                                .allMatch(p -> Pattern.compile("\\(" + p + " of lb1\\): \\d+ lines delivered")
                                        .matcher(Daemons.read(centralLog))
                                        .find()),
                        "each poll's record done at the central processor, its cluster values published");
                Daemons.stop(edge);
                Daemons.stop(central);
            } finally {
                for (Process d : daemons) {
                    if (d.isAlive()) {
                        Daemons.kill(d);
                    }
                }
            }
            String edgeText = Daemons.read(edgeLog);
            assertFalse(edgeText.contains("cannot deliver"), edgeText);

            List<ConsumerRecord<byte[], byte[]>> records = KafkaRecords.readAll(bootstrap, POLLS);
            assertEquals(
                    List.of(before, ahead, after),
                    records.stream().map(PollRecord::pollName).toList(),
                    "in the order pulled, each poll's time in its header");
            for (ConsumerRecord<byte[], byte[]> r : records) {
                assertTrue(
                        r.timestamp() < (now + 3600) * 1000,
                        "stamped with the edge's clock, not the poll's: " + r.timestamp() + " for "
                                + PollRecord.pollName(r));
            }
        }
    }

    /** A poll directory of the real captures' first poll, named {@code name}, in {@code incoming}. */
    private static void writePoll(Path incoming, String name) throws IOException {
        Path tmpDir =
                Files.createDirectories(incoming.resolveSibling("incoming.tmp").resolve(name));
        for (Map.Entry<String, byte[]> f : smallPoll().entrySet()) {
            Files.write(tmpDir.resolve(f.getKey()), f.getValue());
        }
        Files.move(tmpDir, incoming.resolve(name)); // whole, as the puller lands a poll
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
        Process p = Daemons.start(PROCESS, conf, base.resolveSibling(base.getFileName() + ".log"));
        started.add(p);
        return p;
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
