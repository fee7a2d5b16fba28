package io.haproxystats.process.bench;

import io.haproxystats.common.testing.Daemons;
import io.haproxystats.common.testing.KafkaCluster;
import io.haproxystats.common.testing.TestConfig;
import io.haproxystats.common.testing.Wait;
import io.haproxystats.process.testing.KafkaRecords;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Kafka benchmark (bench/kafka-bench.sh): with a real broker and the built executable, for one
 * poll directory copied POLLS times, (1) the edge's CPU per poll in {@code mode = forward} against
 * a local processor's for the same polls, (2) the bytes a poll takes on the broker (compressed by
 * the producer) against its files, (3) the polls a second one central processor
 * ({@code source = kafka}) computes and delivers from a backlog in the topic, and its CPU per poll.
 * Lines go to an in-process TCP reader. Prints figures; asserts nothing.
 *
 * <p>Arguments: EXECUTABLE POLL_DIR [POLLS 20]. {@code -Dbench.central.opts} sets the central
 * processor's JVM options (default: the central unit's, -Xmx1g).
 */
public final class KafkaBench {

    private static final long HZ = 100; // USER_HZ on Linux
    private static final Pattern DELIVERED =
            Pattern.compile("(?m)^\\S+ (\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*lines delivered$");

    public static void main(String[] args) throws Exception {
        Path exe = Path.of(args[0]);
        Path poll = Path.of(args[1]);
        int polls = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        Path work = Files.createTempDirectory("kafka-bench");
        long pollBytes = size(poll);
        System.out.printf(
                Locale.ROOT, "kafka bench: %s, %d files, %d bytes; %d polls%n", poll, count(poll), pollBytes, polls);
        try (KafkaCluster kafka = KafkaCluster.start(work.resolve("kafka"), 1);
                ProcessBench.PlainSink sink = new ProcessBench.PlainSink()) {
            String bootstrap = kafka.bootstrapServers();
            KafkaRecords.createTopic(
                    bootstrap, "haproxystats.polls", 1, 1, Map.of("max.message.bytes", Integer.toString(64 << 20)));

            Path edge = work.resolve("edge");
            double edgeCpu =
                    run(exe, edge, TestConfig.forward(bootstrap, "lb1"), poll, polls, "forwarded to", Map.of());
            long onBroker = brokerBytes(work.resolve("kafka"));
            System.out.printf(
                    Locale.ROOT,
                    "edge (mode = forward): CPU %.3f s a poll; %d bytes a poll on the broker "
                            + "(files %d bytes: %.1fx smaller)%n",
                    edgeCpu,
                    onBroker / polls,
                    pollBytes,
                    pollBytes / (double) (onBroker / polls));

            Path local = work.resolve("local");
            double localCpu = run(exe, local, """
                    [process]
                    src-dir = ${paths:base-dir}/incoming
                    [graphite]
                    port = %d
                    prefix-hostname = false
                    """.formatted(sink.port()), poll, polls, "lines delivered", Map.of());
            System.out.printf(
                    Locale.ROOT,
                    "local (mode = local): CPU %.3f s a poll; edge / local = %.3f%n",
                    localCpu,
                    edgeCpu / localCpu);

            Path central = work.resolve("central");
            Path log = central.resolve("process.log");
            double centralCpu = run(
                    exe,
                    central,
                    TestConfig.central(bootstrap, sink.port(), null, 4),
                    null,
                    polls,
                    "lines delivered",
                    Map.of(
                            "HAPROXYSTATS_JAVA_OPTS",
                            System.getProperty(
                                    "bench.central.opts",
                                    "-XX:+UseSerialGC -Xms64m -Xmx1g -XX:MaxMetaspaceSize=128m")));
            List<LocalTime> times = new ArrayList<>();
            Matcher m = DELIVERED.matcher(Files.readString(log));
            while (m.find()) {
                times.add(LocalTime.parse(m.group(1)));
            }
            double span = Duration.between(times.getFirst(), times.getLast()).toMillis() / 1000.0;
            System.out.printf(
                    Locale.ROOT,
                    "central (source = kafka, 4 workers): %d polls delivered, first to last "
                            + "%.3f s = %.1f polls/s; CPU %.3f s a poll%n",
                    times.size(),
                    span,
                    span > 0 ? (times.size() - 1) / span : Double.NaN,
                    centralCpu);
        } finally {
            deleteTree(work);
        }
    }

    /**
     * Starts the executable on {@code base}, waits until ready, hands it {@code polls} copies of
     * the poll (none when null: the polls come from Kafka), waits for as many {@code done} log
     * lines, stops it; returns its CPU seconds a poll after ready.
     */
    private static double run(
            Path exe, Path base, String config, Path poll, int polls, String done, Map<String, String> env)
            throws Exception {
        Path incoming = Files.createDirectories(base.resolve("incoming"));
        Path conf = Files.writeString(base.resolve("haproxystats.conf"), "[paths]\nbase-dir = " + base + "\n" + config);
        Path log = base.resolve("process.log");
        Process p = Daemons.start(exe, conf, log, env);
        long pid = p.pid();
        Wait.until(Duration.ofSeconds(60), () -> Daemons.read(log).contains("ready: "), base + " ready");
        long ticks0 = ProcessBench.cpuTicks(pid);
        if (poll != null) {
            for (int i = 0; i < polls; i++) {
                String name = Long.toString(1700000000L + 10L * i);
                Path staging = Files.createDirectories(base.resolve("staging/" + name));
                try (Stream<Path> files = Files.list(poll)) {
                    for (Path f : files.toList()) {
                        Files.copy(f, staging.resolve(f.getFileName()));
                    }
                }
                Files.move(staging, incoming.resolve(name), StandardCopyOption.ATOMIC_MOVE);
            }
        }
        try {
            Wait.until(
                    Duration.ofMinutes(10),
                    () -> occurrences(Daemons.read(log), done) >= polls || !p.isAlive(),
                    polls + " x '" + done + "' in " + log);
        } finally {
            if (!p.isAlive() || occurrences(Daemons.read(log), done) < polls) {
                String text = Daemons.read(log);
                System.out.println(
                        "FAILED: " + base + "; its log ends:\n" + text.substring(Math.max(0, text.length() - 3000)));
            }
        }
        long ticks1 = ProcessBench.cpuTicks(pid);
        p.destroy();
        p.waitFor();
        return (ticks1 - ticks0) / (double) HZ / polls;
    }

    private static int occurrences(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    /** The bytes of the polls topic's log segments on the broker: what the records take, compressed. */
    private static long brokerBytes(Path kafkaDir) throws IOException {
        try (Stream<Path> files = Files.walk(kafkaDir)) {
            return files.filter(f -> f.getParent().getFileName().toString().startsWith("haproxystats.polls-")
                            && f.toString().endsWith(".log"))
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        }
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(f -> f.toFile().length()).sum();
        }
    }

    private static long count(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
