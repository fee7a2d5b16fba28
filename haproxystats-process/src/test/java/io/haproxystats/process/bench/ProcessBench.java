package io.haproxystats.process.bench;

import io.haproxystats.common.testing.CarbonRelay;
import io.haproxystats.common.testing.LineSink;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The processor benchmark of issue 7 (bench/process-bench.sh runs it): the built
 * {@code haproxystats-process} executable, with the launcher's JVM options, a real carbon-c-relay
 * on 127.0.0.1 writing to a file, and POLLS copies of one poll directory renamed into
 * {@code incoming/} one after the other. Per poll: the time from the rename to the directory's
 * removal, with every line of the poll then checked to be in the relay's file; the JVM's CPU
 * seconds; at the end its peak resident memory (VmHWM). The first WARMUP polls are the cold
 * start and are reported apart. Not a test: no assertion, figures for docs/benchmarks.md.
 *
 * <pre>ProcessBench PROCESS_EXECUTABLE POLL_DIR [POLLS 13] [WARMUP 3]</pre>
 */
public final class ProcessBench {

    public static void main(String[] args) throws Exception {
        Path exe = Path.of(args[0]).toAbsolutePath();
        Path template = Path.of(args[1]);
        int polls = args.length > 2 ? Integer.parseInt(args[2]) : 13;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Path work = Files.createTempDirectory("process-bench");
        boolean plain = "plain".equals(System.getProperty("bench.sink"));
        // bench.lines=settle: for a processor that logs no "N lines delivered" (the Python original),
        // a poll's lines are those at the sink once its count stopped growing for 2 s.
        boolean settle = "settle".equals(System.getProperty("bench.lines"));
        try (Sink relay = plain ? new PlainSink() : new RelaySink(CarbonRelay.start(work))) {
            Path spool = work.resolve("spool");
            Path incoming = Files.createDirectories(spool.resolve("incoming"));
            Path staging = Files.createDirectories(spool.resolve("incoming.tmp"));
            Path conf = work.resolve("haproxystats.conf");
            Files.writeString(conf, """
                    [paths]
                    base-dir = %s
                    [pull]
                    # The 20,000-server files are larger than the default 6 MB answer limit.
                    buffer-limit = 1073741824
                    [process]
                    src-dir = ${paths:base-dir}/incoming
                    loglevel = %s
                    [graphite]
                    server = 127.0.0.1
                    port = %d
                    """.formatted(spool, System.getProperty("bench.loglevel", "info"), relay.port()));
            Path log = work.resolve("process.log");
            ProcessBuilder builder = new ProcessBuilder(exe.toString(), "-f", conf.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            if ("off".equals(System.getProperty("bench.aot"))) {
                builder.environment().put("HAPROXYSTATS_AOT", "off"); // the smoke run trains no cache
            }
            Process process = builder.start();
            long pid = process.pid();
            waitFor(
                    () -> !Files.readString(Path.of("/proc/" + pid + "/cmdline"))
                            .startsWith("/bin/sh"),
                    "the launcher's exec");
            String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline"));
            String aot = cmdline.contains("-XX:AOTCache=")
                    ? "AOT cache used"
                    : cmdline.contains("-XX:AOTCacheOutput=") ? "AOT cache being trained by this run" : "no AOT cache";
            waitFor(
                    () -> Files.readString(log).contains(System.getProperty("bench.ready", "ready: watching")),
                    "the processor ready (warmed up, watching src-dir)");
            Sink counter = relay;
            long hz = 100; // USER_HZ on Linux
            List<Double> seconds = new ArrayList<>();
            List<Double> cpu = new ArrayList<>();
            long lines = 0;
            for (int i = 0; i < polls; i++) {
                String epoch = Long.toString(1_700_000_000L + 10L * i);
                Path staged = Files.createDirectories(staging.resolve(epoch));
                try (Stream<Path> files = Files.list(template)) {
                    for (Path f : files.toList()) {
                        Files.copy(f, staged.resolve(f.getFileName()));
                    }
                }
                long ticks0 = treeCpuTicks(pid);
                Path target = incoming.resolve(epoch);
                long t1;
                // Wait for the removal with inotify, not by polling: on 2 cores a polling loop
                // takes CPU from the processor and the relay and slows what it measures.
                try (WatchService watch = incoming.getFileSystem().newWatchService()) {
                    incoming.register(watch, StandardWatchEventKinds.ENTRY_DELETE);
                    long t0 = System.nanoTime();
                    Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
                    t1 = awaitDeletion(watch, target);
                    t1 -= t0;
                }
                long ticks1 = treeCpuTicks(pid);
                long delivered;
                if (settle) {
                    delivered = counter.awaitSettled(epoch);
                } else {
                    delivered = deliveredLines(log, epoch);
                    counter.awaitLines(epoch, delivered);
                }
                seconds.add(t1 / 1e9);
                cpu.add((ticks1 - ticks0) / (double) hz);
                lines = delivered;
                System.out.printf(
                        Locale.ROOT,
                        settle
                                ? "poll %d: %.3f s rename->removed, %.2f CPU s, %d lines at the sink%n"
                                : "poll %d: %.3f s rename->removed, %.2f CPU s, %d lines, all at the relay%n",
                        i + 1,
                        t1 / 1e9,
                        (ticks1 - ticks0) / (double) hz,
                        delivered);
            }
            if (System.getProperty("bench.loglevel") != null) {
                Files.readAllLines(log).stream()
                        .filter(l -> l.contains("computed") || l.contains("written"))
                        .forEach(System.out::println);
            }
            String hwm = treeHwm(pid);
            String rss = procStatus(pid, "VmRSS");
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
            double[] warm = seconds.subList(warmup, seconds.size()).stream()
                    .mapToDouble(Double::doubleValue)
                    .sorted()
                    .toArray();
            double[] warmCpu = cpu.subList(warmup, cpu.size()).stream()
                    .mapToDouble(Double::doubleValue)
                    .sorted()
                    .toArray();
            System.out.printf(
                    Locale.ROOT,
                    "%s, sink %s, %s: %d lines a poll; first (cold) poll %.3f s; warm polls (%d): median %.3f s, "
                            + "min %.3f, max %.3f; CPU a warm poll: median %.2f s; VmHWM %s, VmRSS at the end %s%n",
                    template.getFileName(),
                    plain ? "in-process TCP reader" : "carbon-c-relay",
                    aot,
                    lines,
                    seconds.get(0),
                    warm.length,
                    median(warm),
                    warm[0],
                    warm[warm.length - 1],
                    median(warmCpu),
                    hwm,
                    rss);
            double[] floor = floorProbe(template);
            System.out.printf(
                    Locale.ROOT,
                    "floor probe (read every file of the poll into memory and scan every byte once, one thread, "
                            + "warm; %d rounds): median %.3f s, min %.3f, max %.3f; warm rename->removed / floor "
                            + "%.1fx; CPU a warm poll / floor %.1fx; first poll / warm median %.1fx%n",
                    floor.length,
                    median(floor),
                    floor[0],
                    floor[floor.length - 1],
                    median(warm) / median(floor),
                    median(warmCpu) / median(floor),
                    seconds.get(0) / median(warm));
        }
    }

    /**
     * The least any processor must do with a poll: read each of its files into a byte array and look
     * at every byte once (here: count newlines and commas), on one thread, warm (3 rounds first,
     * not counted). Returns the sorted times of 7 rounds, in seconds.
     */
    static double[] floorProbe(Path poll) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(poll)) {
            files = s.sorted().toList();
        }
        double[] times = new double[7];
        long sink = 0;
        for (int round = -3; round < times.length; round++) {
            long t0 = System.nanoTime();
            for (Path f : files) {
                byte[] bytes = Files.readAllBytes(f);
                for (byte b : bytes) {
                    if (b == '\n' || b == ',') {
                        sink++;
                    }
                }
            }
            if (round >= 0) {
                times[round] = (System.nanoTime() - t0) / 1e9;
            }
        }
        if (sink == 42) {
            System.out.println(); // keeps the scan from being optimised away
        }
        Arrays.sort(times);
        return times;
    }

    /** Blocks until {@code target} is deleted; returns System.nanoTime() then. */
    private static long awaitDeletion(WatchService watch, Path target) throws Exception {
        while (true) {
            WatchKey key = watch.poll(120, TimeUnit.SECONDS);
            if (key == null) {
                throw new IllegalStateException("timed out waiting for the removal of " + target);
            }
            long now = System.nanoTime();
            for (WatchEvent<?> e : key.pollEvents()) {
                if (target.getFileName().equals(e.context())) {
                    return now;
                }
            }
            key.reset();
            if (!Files.exists(target)) {
                return now;
            }
        }
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
    }

    /**
     * The CPU ticks of a process and of every process below it, living or reaped: a processor made
     * of several processes (the Python original's workers are child processes) counts whole.
     */
    static long treeCpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // utime, stime, then cutime, cstime: the children already reaped
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        for (long child : children(pid)) {
            ticks += treeCpuTicks(child);
        }
        return ticks;
    }

    /** VmHWM of the process, or the sum of the peaks over its process tree when it has children. */
    static String treeHwm(long pid) throws IOException {
        List<Long> tree = new ArrayList<>(List.of(pid));
        for (int i = 0; i < tree.size(); i++) {
            tree.addAll(children(tree.get(i)));
        }
        if (tree.size() == 1) {
            return procStatus(pid, "VmHWM");
        }
        double mib = 0;
        for (long p : tree) {
            mib += Double.parseDouble(procStatus(p, "VmHWM").replace(" MiB", ""));
        }
        return String.format(Locale.ROOT, "%.1f MiB summed over %d processes", mib, tree.size());
    }

    private static List<Long> children(long pid) throws IOException {
        List<Long> children = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                String list = Files.readString(task.resolve("children")).trim();
                if (!list.isEmpty()) {
                    for (String child : list.split(" ")) {
                        children.add(Long.parseLong(child));
                    }
                }
            }
        }
        return children;
    }

    static String procStatus(long pid, String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(key + ":")) {
                long kb = Long.parseLong(line.replaceAll("\\D", ""));
                return String.format(Locale.ROOT, "%.1f MiB", kb / 1024.0);
            }
        }
        return "?";
    }

    private static long deliveredLines(Path log, String epoch) throws Exception {
        Pattern p = Pattern.compile(epoch + ": (\\d+) lines delivered");
        long[] found = {-1};
        waitFor(
                () -> {
                    Matcher m = p.matcher(Files.readString(log));
                    if (m.find()) {
                        found[0] = Long.parseLong(m.group(1));
                        return true;
                    }
                    return false;
                },
                "the delivery log line of " + epoch);
        return found[0];
    }

    interface Check {
        boolean ok() throws Exception;
    }

    private static void waitFor(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    /** Where the processor sends; counts the lines received per timestamp. */
    interface Sink extends AutoCloseable {
        int port();

        void awaitLines(String epoch, long expected) throws Exception;

        /** Waits until the epoch's count is above zero and unchanged for 2 s; returns it. */
        default long awaitSettled(String epoch) throws Exception {
            long[] last = {-1, System.nanoTime()};
            waitFor(
                    () -> {
                        awaitLines(epoch, 0); // reads what arrived
                        long now = count(epoch);
                        if (now != last[0]) {
                            last[0] = now;
                            last[1] = System.nanoTime();
                            return false;
                        }
                        return now > 0 && System.nanoTime() - last[1] > TimeUnit.SECONDS.toNanos(2);
                    },
                    "the lines of " + epoch + " at the sink to stop growing");
            return last[0];
        }

        long count(String epoch);
    }

    /** A real carbon-c-relay writing to a file, read incrementally. */
    private static final class RelaySink implements Sink {
        private final CarbonRelay relay;
        private final LineCounter counter = new LineCounter();
        private long offset;

        RelaySink(CarbonRelay relay) {
            this.relay = relay;
        }

        @Override
        public int port() {
            return relay.port();
        }

        @Override
        public void awaitLines(String epoch, long expected) throws Exception {
            waitFor(
                    () -> {
                        Path file = relay.file();
                        if (Files.exists(file)) {
                            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                                long length = f.length();
                                if (length > offset) {
                                    byte[] chunk = new byte[(int) (length - offset)];
                                    f.seek(offset);
                                    f.readFully(chunk);
                                    offset = length;
                                    counter.feed(chunk, chunk.length);
                                }
                            }
                        }
                        return counter.count(epoch) >= expected;
                    },
                    expected + " lines of " + epoch + " at the relay");
        }

        @Override
        public long count(String epoch) {
            return counter.count(epoch);
        }

        @Override
        public void close() throws Exception {
            relay.close();
        }
    }

    /**
     * A plain TCP reader in this JVM: shows the processor's own time, without a relay's
     * ingestion (carbon-c-relay's stalls dominate on small machines, see docs/benchmarks.md).
     */
    static final class PlainSink implements Sink {
        private final LineCounter counter = new LineCounter();
        private final LineSink server = LineSink.chunks(counter::feed);

        PlainSink() throws IOException {}

        @Override
        public int port() {
            return server.port();
        }

        @Override
        public void awaitLines(String epoch, long expected) throws Exception {
            waitFor(() -> counter.count(epoch) >= expected, expected + " lines of " + epoch + " at the reader");
        }

        @Override
        public long count(String epoch) {
            return counter.count(epoch);
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /**
     * Counts lines per timestamp (the last field of {@code path value timestamp}) as bytes stream
     * in: no string or copy per line, so the harness takes little CPU from the processor it measures
     * on the same cores. Warmed up before the processor starts, so its own JIT does not slow the
     * first poll's delivery.
     */
    private static final class LineCounter {
        private final Map<Long, Long> perTimestamp = new HashMap<>();
        private long field; // the digits since the last space, as a number
        private long lastTimestamp = -1;
        private long lastCount;

        LineCounter() {
            byte[] warm = "warm.up.metric.path 12345 1\n".repeat(40_000).getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 30; i++) {
                feed(warm, warm.length);
            }
            perTimestamp.clear();
            lastTimestamp = -1;
            lastCount = 0;
        }

        synchronized void feed(byte[] chunk, int n) {
            for (int i = 0; i < n; i++) {
                byte c = chunk[i];
                if (c == '\n') {
                    if (field != lastTimestamp) {
                        flush();
                        lastTimestamp = field;
                    }
                    lastCount++;
                    field = 0;
                } else if (c == ' ') {
                    field = 0;
                } else {
                    field = field * 10 + (c - '0');
                }
            }
        }

        private void flush() {
            if (lastCount > 0) {
                perTimestamp.merge(lastTimestamp, lastCount, Long::sum);
            }
            lastCount = 0;
        }

        synchronized long count(String epoch) {
            long ts = Long.parseLong(epoch);
            return perTimestamp.getOrDefault(ts, 0L) + (lastTimestamp == ts ? lastCount : 0);
        }
    }
}
