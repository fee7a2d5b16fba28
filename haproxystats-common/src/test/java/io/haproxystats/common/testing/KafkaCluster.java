package io.haproxystats.common.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Real Apache Kafka brokers, each its own JVM in KRaft combined mode (broker and controller), on
 * 127.0.0.1 ports chosen here, with data and logs in a test directory. The jars are the
 * {@code kafka_2.13} release of the clients' version, which the build copies to
 * {@code haproxystats-kafka-broker/target/broker-lib}. One node: replication factor 1. Three nodes:
 * replication factor 3 and {@code min.insync.replicas=2}, so one node may die with no loss under
 * {@code acks=all}. Topics are created on first use with {@code partitions} partitions.
 */
public final class KafkaCluster implements AutoCloseable {

    private static final Duration START = Duration.ofSeconds(60);

    private final Path dir;
    private final List<Node> nodes;

    private record Node(int id, int port, int controllerPort, Path properties, Path log, Process[] process) {}

    private KafkaCluster(Path dir, List<Node> nodes) {
        this.dir = dir;
        this.nodes = nodes;
    }

    /** One broker, topics with {@code partitions} partitions. */
    public static KafkaCluster start(Path dir, int partitions) throws IOException, InterruptedException {
        return start(dir, 1, partitions);
    }

    public static KafkaCluster start(Path dir, int brokers, int partitions) throws IOException, InterruptedException {
        return start(dir, brokers, partitions, Map.of());
    }

    /**
     * As {@link #start(Path, int, int)}, each broker's properties followed by {@code overrides}
     * (a later line wins): a benchmark restores Kafka's own defaults where the tests' differ, e.g.
     * {@code log.flush.interval.messages}, which the tests set to 1 (an fsync a record).
     */
    public static KafkaCluster start(Path dir, int brokers, int partitions, Map<String, String> overrides)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        List<Node> nodes = new ArrayList<>();
        for (int i = 1; i <= brokers; i++) {
            nodes.add(new Node(
                    i,
                    HaproxyInstance.freePort(),
                    HaproxyInstance.freePort(),
                    dir.resolve("broker-" + i + ".properties"),
                    dir.resolve("broker-" + i + ".log"),
                    new Process[1]));
        }
        String voters = nodes.stream()
                .map(n -> n.id() + "@127.0.0.1:" + n.controllerPort())
                .collect(Collectors.joining(","));
        int replicas = Math.min(3, brokers);
        Path log4j = dir.resolve("log4j2.properties");
        Files.writeString(log4j, """
                rootLogger.level = INFO
                rootLogger.appenderRef.out.ref = OUT
                appender.out.type = Console
                appender.out.name = OUT
                appender.out.layout.type = PatternLayout
                appender.out.layout.pattern = %d{HH:mm:ss.SSS} %p [%c{1}] %m%n
                logger.kafka.name = kafka
                logger.kafka.level = INFO
                logger.apache.name = org.apache.kafka
                logger.apache.level = WARN
                """);
        String clusterId = clusterId();
        for (Node n : nodes) {
            Path data = dir.resolve("data-" + n.id());
            Files.writeString(n.properties(), """
                    process.roles=broker,controller
                    node.id=%d
                    controller.quorum.voters=%s
                    listeners=PLAINTEXT://127.0.0.1:%d,CONTROLLER://127.0.0.1:%d
                    advertised.listeners=PLAINTEXT://127.0.0.1:%d
                    controller.listener.names=CONTROLLER
                    listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
                    inter.broker.listener.name=PLAINTEXT
                    log.dirs=%s
                    num.partitions=%d
                    default.replication.factor=%d
                    min.insync.replicas=%d
                    offsets.topic.replication.factor=%d
                    offsets.topic.num.partitions=4
                    transaction.state.log.replication.factor=%d
                    transaction.state.log.min.isr=%d
                    group.initial.rebalance.delay.ms=0
                    auto.create.topics.enable=true
                    log.flush.interval.messages=1
                    %s""".formatted(
                            n.id(),
                            voters,
                            n.port(),
                            n.controllerPort(),
                            n.port(),
                            data,
                            partitions,
                            replicas,
                            Math.min(2, replicas),
                            replicas,
                            replicas,
                            Math.min(2, replicas),
                            overrides.entrySet().stream()
                                    .map(e -> e.getKey() + "=" + e.getValue() + "\n")
                                    .collect(Collectors.joining())));
            Process format = java(
                            n,
                            "kafka.tools.StorageTool",
                            "format",
                            "-t",
                            clusterId,
                            "-c",
                            n.properties().toString())
                    .redirectOutput(dir.resolve("format-" + n.id() + ".log").toFile())
                    .start();
            if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
                throw new IllegalStateException(
                        "kafka storage format failed: " + Files.readString(dir.resolve("format-" + n.id() + ".log")));
            }
        }
        KafkaCluster cluster = new KafkaCluster(dir, nodes);
        for (Node n : nodes) {
            cluster.launch(n);
        }
        for (Node n : nodes) {
            cluster.awaitStarted(n, 0);
        }
        return cluster;
    }

    /** The jars of the broker: built by the haproxystats-kafka-broker module. */
    static Path brokerLib() {
        String configured = System.getProperty("kafka.broker.lib");
        Path lib = configured != null
                ? Path.of(configured)
                : Path.of("").toAbsolutePath().getParent().resolve("haproxystats-kafka-broker/target/broker-lib");
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException(lib + " missing: build the project first (mvn install, or ./setup.sh)");
        }
        return lib;
    }

    private static ProcessBuilder java(Node n, String main, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m",
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dlog4j2.configurationFile=" + n.properties().resolveSibling("log4j2.properties"),
                "-cp",
                brokerLib() + "/*",
                main));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true);
    }

    private void launch(Node n) throws IOException {
        n.process()[0] = java(n, "kafka.Kafka", n.properties().toString())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(n.log().toFile()))
                .start();
    }

    private void awaitStarted(Node n, long from) throws InterruptedException {
        try {
            Wait.until(
                    START,
                    () -> startedLines(n) > from || !n.process()[0].isAlive(),
                    "kafka broker " + n.id() + " to start (" + n.log() + ")");
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; its log ends:\n" + tail(n.log()), e);
        }
        if (!n.process()[0].isAlive()) {
            throw new IllegalStateException("kafka broker " + n.id() + " exited; see " + n.log());
        }
    }

    /** Counts "started" lines written so far: a restarted broker writes one more. */
    private static long startedLines(Node n) {
        try {
            if (!Files.exists(n.log())) {
                return 0;
            }
            return Files.readAllLines(n.log()).stream()
                    .filter(l -> l.contains("Kafka Server started"))
                    .count();
        } catch (IOException e) {
            return 0;
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /**
     * A random cluster id as Kafka writes them (16 bytes, URL-safe base64), never starting with
     * '-': the storage tool's argument parser would read such an id as an option (it failed a test
     * run once in 64 starts on average).
     */
    static String clusterId() {
        SecureRandom random = new SecureRandom();
        while (true) {
            byte[] id = new byte[16];
            random.nextBytes(id);
            String s = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
            if (s.charAt(0) != '-') {
                return s;
            }
        }
    }

    /** The running brokers' process ids (a benchmark reads their CPU time). */
    public List<Long> pids() {
        return nodes.stream()
                .filter(n -> n.process()[0] != null && n.process()[0].isAlive())
                .map(n -> n.process()[0].pid())
                .toList();
    }

    /** {@code host:port,...} of every broker, for bootstrap.servers. */
    public String bootstrapServers() {
        return nodes.stream().map(n -> "127.0.0.1:" + n.port()).collect(Collectors.joining(","));
    }

    public int size() {
        return nodes.size();
    }

    public Path dir() {
        return dir;
    }

    /** Kills broker {@code index} (0-based) at once (SIGKILL): no controlled shutdown. */
    public void kill(int index) throws InterruptedException {
        Process p = nodes.get(index).process()[0];
        p.destroyForcibly().waitFor();
    }

    /** Stops broker {@code index} (SIGTERM, its controlled shutdown). */
    public void stop(int index) throws InterruptedException {
        Process p = nodes.get(index).process()[0];
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
    }

    /** Starts a stopped or killed broker again, on its ports and data, and waits until it serves. */
    public void restart(int index) throws IOException, InterruptedException {
        Node n = nodes.get(index);
        long before = startedLines(n);
        launch(n);
        awaitStarted(n, before);
    }

    @Override
    public void close() throws InterruptedException {
        for (Node n : nodes) {
            Process p = n.process()[0];
            if (p != null && p.isAlive()) {
                p.destroyForcibly().waitFor();
            }
        }
    }
}
