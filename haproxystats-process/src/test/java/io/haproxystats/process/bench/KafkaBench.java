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
 * <p>CPU is measured per process over the POLLS polls after WARMUP unmeasured ones (the JIT's
 * first compilations are not a poll's cost), from /proc: all of the process's threads, and apart
 * the JIT compiler threads' share of it (still compiling after the warm-up, they are what a
 * longer run would not pay).
 *
 * <p>Arguments: EXECUTABLE POLL_DIR [POLLS 20] [WARMUP 2]. {@code -Dbench.central.opts} sets the
 * central processor's JVM options (default: the central unit's), {@code -Dbench.local.opts} and
 * {@code -Dbench.edge.opts} the local processor's and the edge's (default: the launcher's).
 */
public final class KafkaBench {

    static final long HZ = 100; // USER_HZ on Linux

    /** The central unit's JVM options (contrib/systemd/haproxystats-central.service). */
    static final String CENTRAL_UNIT_OPTS = "-XX:+UseSerialGC -Xmx1g -Xmn256m -XX:MaxMetaspaceSize=128m";

    private static final Pattern DELIVERED =
            Pattern.compile("(?m)^\\S+ (\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*lines delivered$");

    public static void main(String[] args) throws Exception {
        Path exe = Path.of(args[0]);
        Path poll = Path.of(args[1]);
        int polls = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        Path work = Files.createTempDirectory("kafka-bench");
        long pollBytes = size(poll);
        System.out.printf(
                Locale.ROOT,
                "kafka bench: %s, %d files, %d bytes; %d polls measured after %d%n",
                poll,
                count(poll),
                pollBytes,
                polls,
                warmup);
        try (KafkaCluster kafka = KafkaCluster.start(work.resolve("kafka"), 1);
                ProcessBench.PlainSink sink = new ProcessBench.PlainSink()) {
            String bootstrap = kafka.bootstrapServers();
            KafkaRecords.createTopic(
                    bootstrap, "haproxystats.polls", 1, 1, Map.of("max.message.bytes", Integer.toString(64 << 20)));

            Path edge = work.resolve("edge");
            Cpu edgeCpu = run(
                    exe,
                    edge,
                    TestConfig.forward(bootstrap, "lb1"),
                    poll,
                    warmup,
                    polls,
                    "forwarded to",
                    opts("bench.edge.opts"));
            long onBroker = brokerBytes(work.resolve("kafka")) / (warmup + polls);
            System.out.printf(
                    Locale.ROOT,
                    "edge (mode = forward): CPU %s a poll; %d bytes a poll on the broker "
                            + "(files %d bytes: %.1fx smaller)%n",
                    edgeCpu,
                    onBroker,
                    pollBytes,
                    pollBytes / (double) onBroker);

            Path local = work.resolve("local");
            Cpu localCpu = run(
                    exe,
                    local,
                    """
                    [process]
                    src-dir = ${paths:base-dir}/incoming
                    [graphite]
                    port = %d
                    prefix-hostname = false
                    """.formatted(sink.port()),
                    poll,
                    warmup,
                    polls,
                    "lines delivered",
                    opts("bench.local.opts"));
            System.out.printf(
                    Locale.ROOT,
                    "local (mode = local): CPU %s a poll; edge / local = %.3f%n",
                    localCpu,
                    edgeCpu.seconds() / localCpu.seconds());

            Path central = work.resolve("central");
            Path log = central.resolve("process.log");
            Cpu centralCpu = run(
                    exe,
                    central,
                    TestConfig.central(bootstrap, sink.port(), null, 4),
                    null,
                    warmup,
                    polls,
                    "lines delivered",
                    Map.of("HAPROXYSTATS_JAVA_OPTS", System.getProperty("bench.central.opts", CENTRAL_UNIT_OPTS)));
            List<LocalTime> times = new ArrayList<>();
            Matcher m = DELIVERED.matcher(Files.readString(log));
            while (m.find()) {
                times.add(LocalTime.parse(m.group(1)));
            }
            times = times.subList(Math.max(0, warmup - 1), times.size()); // from the last warm-up's delivery
            double span = Duration.between(times.getFirst(), times.getLast()).toMillis() / 1000.0;
            System.out.printf(
                    Locale.ROOT,
                    "central (source = kafka, 4 workers): %d polls delivered, first to last "
                            + "%.3f s = %.1f polls/s; CPU %s a poll; central / local = %.3f%n",
                    times.size() - (warmup > 0 ? 1 : 0),
                    span,
                    span > 0 ? (times.size() - 1) / span : Double.NaN,
                    centralCpu,
                    centralCpu.seconds() / localCpu.seconds());
        } finally {
            deleteTree(work);
        }
    }

    /** A run's JVM options from the system property, else the launcher's own. */
    private static Map<String, String> opts(String property) {
        String opts = System.getProperty(property, "");
        return opts.isBlank() ? Map.of() : Map.of("HAPROXYSTATS_JAVA_OPTS", opts);
    }

    /** CPU seconds a poll: the whole process's, and of that its JIT compiler threads'. */
    record Cpu(double seconds, double jit) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.3f s (JIT compiler threads %.3f s)", seconds, jit);
        }
    }

    /**
     * Starts the executable on {@code base}, waits until ready, hands it {@code warmup} then
     * {@code polls} copies of the poll (none when null: the polls come from Kafka), waits for as
     * many {@code done} log lines, stops it; returns its CPU a poll over the polls after the
     * warm-up.
     */
    private static Cpu run(
            Path exe, Path base, String config, Path poll, int warmup, int polls, String done, Map<String, String> env)
            throws Exception {
        Path incoming = Files.createDirectories(base.resolve("incoming"));
        Path conf = Files.writeString(base.resolve("haproxystats.conf"), "[paths]\nbase-dir = " + base + "\n" + config);
        Path log = base.resolve("process.log");
        Process p = Daemons.start(exe, conf, log, env);
        long pid = p.pid();
        Wait.until(Duration.ofSeconds(60), () -> Daemons.read(log).contains("ready: "), base + " ready");
        long[] before;
        Map<String, Long> threadsBefore = Map.of();
        try {
            hand(poll, base, incoming, 0, warmup);
            awaitDone(p, log, done, warmup);
            before = threadTicks(pid);
            threadsBefore = byThread(pid);
            hand(poll, base, incoming, warmup, polls);
            awaitDone(p, log, done, warmup + polls);
        } finally {
            if (!p.isAlive() || occurrences(Daemons.read(log), done) < warmup + polls) {
                String text = Daemons.read(log);
                System.out.println(
                        "FAILED: " + base + "; its log ends:\n" + text.substring(Math.max(0, text.length() - 3000)));
            }
        }
        long[] after = threadTicks(pid);
        if (Boolean.getBoolean("bench.threads")) {
            printByThread(base, threadsBefore, byThread(pid), polls);
        }
        p.destroy();
        p.waitFor();
        return new Cpu((after[0] - before[0]) / (double) HZ / polls, (after[1] - before[1]) / (double) HZ / polls);
    }

    /** Renames {@code count} copies of the poll into incoming/, named from the {@code first}'th on (none when null). */
    private static void hand(Path poll, Path base, Path incoming, int first, int count) throws IOException {
        if (poll == null) {
            return;
        }
        for (int i = first; i < first + count; i++) {
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

    private static void awaitDone(Process p, Path log, String done, int count) throws InterruptedException {
        Wait.until(
                Duration.ofMinutes(10),
                () -> occurrences(Daemons.read(log), done) >= count || !p.isAlive(),
                count + " x '" + done + "' in " + log);
    }

    /**
     * The process's CPU ticks, all threads (/proc/PID/stat) and its JIT compiler threads' (the
     * threads HotSpot names "C1 CompilerThre..." and "C2 CompilerThre...", /proc/PID/task/TID).
     */
    static long[] threadTicks(long pid) throws IOException {
        long jit = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        jit += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
                    }
                } catch (java.nio.file.NoSuchFileException gone) {
                    // a thread that ended between the listing and the read
                }
            }
        }
        return new long[] {ProcessBench.cpuTicks(pid), jit};
    }

    /**
     * CPU ticks by thread name, digits folded, so that a pool's threads count as one. The names
     * are the kernel's: its first 15 characters ({@code kafka-producer-} for Kafka's producer
     * network thread, {@code ForkJoinPool-#-} for a pool's workers).
     */
    static Map<String, Long> byThread(long pid) throws IOException {
        Map<String, Long> ticks = new java.util.TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                            .replaceAll("\\d+", "#");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks.merge(comm, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
                } catch (java.nio.file.NoSuchFileException gone) {
                    // a thread that ended between the listing and the read
                }
            }
        }
        return ticks;
    }

    /** {@code -Dbench.threads=true}: where a daemon's CPU went over the measured polls, by thread. */
    private static void printByThread(Path base, Map<String, Long> before, Map<String, Long> after, int polls) {
        StringBuilder out = new StringBuilder("  " + base.getFileName() + " CPU a poll by thread:");
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> out.append(
                        String.format(Locale.ROOT, " %s %.4f s;", e.getKey(), e.getValue() / (double) HZ / polls)));
        System.out.println(out);
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
        return segmentBytes(kafkaDir, "haproxystats.polls-");
    }

    /**
     * The bytes of the log segments of the partitions whose directory starts with {@code prefix}
     * ("" for every topic's), the broker's own metadata log left out.
     */
    static long segmentBytes(Path kafkaDir, String prefix) throws IOException {
        try (Stream<Path> files = Files.walk(kafkaDir)) {
            return files.filter(f -> f.getParent().getFileName().toString().startsWith(prefix)
                            && f.toString().endsWith(".log")
                            && !f.getParent().getFileName().toString().equals("__cluster_metadata-0"))
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

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
