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
import io.haproxystats.process.testing.GraphiteLines;
import io.haproxystats.process.testing.KafkaRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole central setup with real parts: three real HAProxy instances, each polled by its own
 * haproxystats-pull and forwarded by its own edge haproxystats-process ({@code mode = forward},
 * {@code host = lbN}) to a real Kafka broker; two central processors in one consumer group
 * ({@code source = kafka}) send to a real carbon-c-relay and to a metrics topic
 * ({@code [kafka-dispatch]}). Every poll's lines at the relay equal, path for path, what a local
 * processor computes from the same poll (its local-store, the poll taken back out of the topic),
 * the request-timer lines of each puller's {@code [logs]} receiver included (issue 29).
 */
public class KafkaEndToEndIT {

    public static final List<String> LBS = List.of("lb1", "lb2", "lb3");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    @Test
    void threeLoadBalancersThroughKafkaGiveTheLinesLocalModeComputes() throws Exception {
        List<HaproxyInstance> haproxies = new ArrayList<>();
        List<Process> daemons = new ArrayList<>();
        try (KafkaCluster kafka = KafkaCluster.start(tmp.resolve("kafka"), 4);
                CarbonRelay relay = CarbonRelay.start(tmp)) {
            String bootstrap = kafka.bootstrapServers();
            for (int i = 0; i < 2; i++) {
                Path conf = Files.writeString(
                        tmp.resolve("central" + i + ".conf"),
                        central(tmp.resolve("central" + i), bootstrap, relay.port())
                                + "[kafka-dispatch]\ntopic = haproxystats.metrics\n");
                daemons.add(Daemons.start(PROCESS, conf, tmp.resolve("central" + i + ".log")));
            }
            List<Process> pullers = new ArrayList<>();
            Map<String, Integer> logged = new java.util.HashMap<>();
            for (String lb : LBS) {
                Path run = Files.createDirectories(tmp.resolve("run-" + lb));
                // Each puller also receives its HAProxy's request logs ([logs]): the timer lines
                // travel edge -> topic -> central -> relay and [kafka-dispatch] like any others.
                Path logSocket =
                        Files.createDirectories(tmp.resolve(lb + "-logs")).resolve("log.sock");
                Path conf = Files.writeString(
                        tmp.resolve(lb + ".conf"),
                        edge(tmp.resolve(lb), run, bootstrap, lb) + "[logs]\nlisten = unix:" + logSocket + "\n");
                daemons.add(Daemons.start(PROCESS, conf, tmp.resolve(lb + "-edge.log")));
                pullers.add(Daemons.start(PULL, conf, tmp.resolve(lb + "-pull.log")));
                Wait.until(Duration.ofSeconds(30), () -> Files.exists(logSocket), lb + "'s [logs] socket");
                int port = HaproxyInstance.freePort();
                haproxies.add(
                        HaproxyInstance.startWith(run, lb, """
                        frontend fe_logs
                            mode http
                            option httplog
                            log %s local0
                            bind 127.0.0.1:%d
                            default_backend be_logs
                        backend be_logs
                            mode http
                            server web 127.0.0.1:%d
                        """.formatted(logSocket, port, HaproxyInstance.freePort())));
                int requests = 2 + logged.size();
                java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
                for (int i = 0; i < requests; i++) {
                    // Nothing serves be_logs: HAProxy answers 503 and logs the request (Tc and Tr -1).
                    client.send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.discarding());
                }
                logged.put(lb, requests);
            }
            Wait.until(
                    Duration.ofSeconds(90),
                    () -> LBS.stream()
                            .allMatch(lb -> polls(relay, lb).size() >= 3 && timerCount(relay, lb) >= logged.get(lb)),
                    "3 polls of each load balancer at the relay, and its requests' timer lines");
            for (Process p : pullers) {
                Daemons.stop(p);
            }
            for (String lb : LBS) {
                Wait.until(
                        Duration.ofSeconds(30),
                        () -> Entries.count(tmp.resolve(lb + "/incoming")) == 0,
                        lb + "'s incoming/ forwarded");
            }
            List<ConsumerRecord<byte[], byte[]>> records = KafkaRecords.readAll(bootstrap, "haproxystats.polls");
            Wait.until(
                    Duration.ofSeconds(60),
                    () -> records.stream()
                            .allMatch(r -> polls(relay, KafkaRecords.key(r)).contains(PollRecord.pollName(r))),
                    "every forwarded poll at the relay");
            for (Process d : daemons) {
                Daemons.stop(d);
            }

            // The reference: each load balancer's polls, taken back out of the topic, computed by a local processor.
            Map<String, List<ConsumerRecord<byte[], byte[]>>> byLb =
                    records.stream().collect(Collectors.groupingBy(KafkaRecords::key));
            assertEquals(new TreeSet<>(LBS), new TreeSet<>(byLb.keySet()), "records keyed by the three names");
            List<String> relayLines = relay.lines();
            int compared = 0;
            for (String lb : LBS) {
                List<String> polls = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> r : byLb.get(lb)) {
                    String poll = PollRecord.pollName(r);
                    assertTrue(
                            polls.isEmpty() || polls.getLast().compareTo(poll) < 0, lb + ": polls in order " + polls);
                    polls.add(poll);
                }
                assertEquals(
                        Set.copyOf(polls),
                        polls(relay, lb),
                        lb
                                + ": the relay has exactly the forwarded polls (each once at the edge: no duplicate record)");
                Map<String, Set<String>> reference = reference(lb, byLb.get(lb));
                for (String poll : polls) {
                    Set<String> central = comparable(relayLines, lb, poll);
                    assertTrue(central.size() > 50, lb + " " + poll + ": " + central.size() + " lines");
                    assertEquals(reference.get(poll), central, lb + " " + poll + ": central lines = local lines");
                    compared++;
                }
            }
            assertTrue(compared >= 9, compared + " polls compared");
            for (String lb : LBS) {
                assertEquals((long) logged.get(lb), timerCount(relay, lb), lb + ": each logged request counted once");
            }

            // [kafka-dispatch]: the same lines on the metrics topic, key = path, value = the line.
            Set<String> onTopic = new TreeSet<>();
            for (ConsumerRecord<byte[], byte[]> r : KafkaRecords.readAll(bootstrap, "haproxystats.metrics")) {
                String line = new String(r.value(), StandardCharsets.UTF_8);
                assertEquals(GraphiteLines.Line.of(line).path(), KafkaRecords.key(r), line);
                onTopic.add(line);
            }
            assertEquals(new TreeSet<>(relayLines), onTopic, "the metrics topic holds the relay's lines");
        } finally {
            for (Process d : daemons) {
                d.destroyForcibly().waitFor();
            }
            for (HaproxyInstance h : haproxies) {
                h.close();
            }
        }
    }

    @Test
    void aKafkaClientThatCannotBeMadeIsAConfigurationErrorAtStart() throws Exception {
        for (String role : List.of("mode = forward", "source = kafka")) {
            Path conf = Files.writeString(tmp.resolve("bad.conf"), """
                    [paths]
                    base-dir = %s
                    [process]
                    src-dir = ${paths:base-dir}/incoming
                    %s
                    [kafka]
                    bootstrap-servers = kafka.invalid:9092
                    """.formatted(tmp.resolve("bad"), role));
            ProcessBuilder pb = new ProcessBuilder(PROCESS.toString(), "-f", conf.toString()).redirectErrorStream(true);
            pb.environment().put("HAPROXYSTATS_AOT", "off");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(2, p.waitFor(), role + ": " + out);
            assertTrue(
                    out.contains("haproxystats-process: configuration error: [kafka]: cannot make a Kafka client "
                            + "(bootstrap-servers and the client. options): No resolvable bootstrap urls given in "
                            + "bootstrap.servers\n"),
                    role + ": " + out);
        }
    }

    /** A central processor: polls from the topic, lines to Graphite with the load balancer's name in the path. */
    public static String central(Path base, String bootstrap, int graphitePort) {
        return TestConfig.paths(base) + TestConfig.central(bootstrap, graphitePort, "lb", 2);
    }

    /** A load balancer's puller and forwarding processor, one spool. */
    public static String edge(Path base, Path socketDir, String bootstrap, String host) {
        return TestConfig.spool(base, socketDir) + TestConfig.forward(bootstrap, host);
    }

    /** The requests counted in a load balancer's frontend fe_logs Ta lines at the relay, over its polls. */
    static long timerCount(CarbonRelay relay, String lb) {
        try {
            return relay.lines().stream()
                    .filter(l -> l.startsWith("lb." + lb + ".haproxy.frontend.fe_logs.timers.Ta.count "))
                    .mapToLong(l -> Long.parseLong(GraphiteLines.Line.of(l).value()))
                    .sum();
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    /** The polls of a load balancer at the relay (the timestamps of its TotalWallClockTime lines). */
    public static Set<String> polls(CarbonRelay relay, String lb) {
        try {
            return relay.lines().stream()
                    .filter(l -> l.startsWith("lb." + lb + ".haproxy.haproxystats.TotalWallClockTime "))
                    .map(l -> GraphiteLines.Line.of(l).timestamp())
                    .collect(Collectors.toSet());
        } catch (java.io.IOException e) {
            return Set.of();
        }
    }

    /**
     * A poll's lines that do not depend on when or where it was computed: not the timings and
     * queue figures of {@code .haproxystats.} (the {@code Metrics*} counts stay). An empty
     * {@code lb}: paths without a hostname.
     */
    static Set<String> comparable(List<String> lines, String lb, String poll) {
        String prefix = lb.isEmpty() ? "lb.haproxy." : "lb." + lb + ".haproxy.";
        return lines.stream()
                .filter(l -> l.startsWith(prefix) && l.endsWith(" " + poll))
                .filter(l -> !l.contains(".haproxystats.") || l.contains(".haproxystats.Metrics"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * Runs a local processor (the executable, local mode, [local-store]) over the polls as
     * directories; its paths carry this machine's name, which is replaced by the load balancer's.
     */
    private Map<String, Set<String>> reference(String lb, List<ConsumerRecord<byte[], byte[]>> records)
            throws Exception {
        Path base = tmp.resolve("reference-" + lb);
        Path incoming = Files.createDirectories(base.resolve("incoming"));
        for (ConsumerRecord<byte[], byte[]> r : records) {
            Path dir = Files.createDirectories(base.resolve("staging/" + PollRecord.pollName(r)));
            for (Map.Entry<String, PollContainer.Slice> f :
                    KafkaRecords.files(r).entrySet()) {
                Files.write(dir.resolve(f.getKey()), f.getValue().bytes());
            }
            Files.move(dir, incoming.resolve(dir.getFileName()));
        }
        Path conf = Files.writeString(
                base.resolve("local.conf"), TestConfig.paths(base) + """
                [process]
                src-dir = ${paths:base-dir}/incoming
                [graphite]
                port = %d
                namespace = lb
                [local-store]
                dir = ${paths:base-dir}/local-store
                """.formatted(HaproxyInstance.freePort()));
        // Graphite is not listening: local-store has each poll's lines at once, Graphite's queue keeps them.
        Process local = Daemons.start(PROCESS, conf, base.resolve("local.log"));
        try {
            Wait.until(
                    Duration.ofSeconds(60),
                    () -> records.stream()
                            .allMatch(r ->
                                    Files.exists(base.resolve("local-store/" + PollRecord.pollName(r) + "/stats"))),
                    "the local processor's local-store for " + lb);
        } finally {
            Daemons.kill(local);
        }
        // This machine's name as the local processor wrote it (sanitised by its rules), from its own lines.
        String first = Files.readAllLines(base.resolve("local-store/" + PollRecord.pollName(records.get(0)) + "/stats"))
                .get(0);
        String me = first.substring(0, first.indexOf(".haproxy.") + ".haproxy.".length());
        Map<String, Set<String>> out = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String poll = PollRecord.pollName(r);
            List<String> lines = Files.readAllLines(base.resolve("local-store/" + poll + "/stats")).stream()
                    .map(l -> l.startsWith(me) ? "lb." + lb + ".haproxy." + l.substring(me.length()) : l)
                    .toList();
            out.put(poll, comparable(lines, lb, poll));
        }
        return out;
    }
}
