package io.haproxystats.process.bench;

import io.haproxystats.common.config.ConfigLoader;
import io.haproxystats.common.config.ProcessConfig;
import io.haproxystats.common.testing.Daemons;
import io.haproxystats.common.testing.KafkaCluster;
import io.haproxystats.common.testing.LineSink;
import io.haproxystats.common.testing.TestConfig;
import io.haproxystats.common.testing.Wait;
import io.haproxystats.common.time.Clock;
import io.haproxystats.process.KafkaFaultsIT;
import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.compute.MetricPaths;
import io.haproxystats.process.compute.PollComputation;
import io.haproxystats.process.kafka.ClusterValues;
import io.haproxystats.process.kafka.PollContainer;
import io.haproxystats.process.testing.KafkaRecords;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The cluster aggregation benchmark (bench/cluster-bench.sh): a real broker, the built
 * haproxystats-process as one central processor with {@code [cluster] aggregate = true} (one
 * Kafka Streams instance), and an in-process Graphite reader that notes when each window's
 * {@code Members} line arrives. For LBS simulated load balancers sending the same poll:
 *
 * <ol>
 *   <li>the size of one poll's values record (what the aggregation stores per load balancer and
 *       window);
 *   <li>windows closed a second from a backlog: WINDOWS windows of LBS values records produced to
 *       the values topic before the processor starts, timed from the first window's lines to the
 *       last's at the reader;
 *   <li>end-to-end latency in real time: REALTIME windows during which each load balancer's poll
 *       is produced to the polls topic once a window, spread over it, with the wall clock as its
 *       epoch; per window, the time from its last poll's production to its lines at the reader,
 *       and the part of it after the earliest moment the window could close (its end plus the
 *       grace, when a poll of that epoch exists).
 * </ol>
 *
 * Prints figures; asserts nothing. Arguments: EXECUTABLE POLL_DIR [LBS 50] [WINDOWS 30] [REALTIME 6]
 * [WINDOW_SECONDS 5] [GRACE_SECONDS 5].
 */
public final class ClusterBench {

    public static void main(String[] args) throws Exception {
        Path exe = Path.of(args[0]);
        Path pollDir = Path.of(args[1]);
        int lbs = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        int windows = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        int realtime = args.length > 4 ? Integer.parseInt(args[4]) : 6;
        long window = args.length > 5 ? Long.parseLong(args[5]) : 5;
        long grace = args.length > 6 ? Long.parseLong(args[6]) : 5;
        Path work = Files.createTempDirectory("cluster-bench");
        SortedMap<String, byte[]> files = read(pollDir);
        System.out.printf(
                Locale.ROOT,
                "cluster bench: %s, %d load balancers, window %d s, grace %d s%n",
                pollDir,
                lbs,
                window,
                grace);

        byte[] values = values(work, files);
        System.out.printf(
                Locale.ROOT,
                "values record of one poll: %d paths, %d bytes (%d with zstd, as the producer sends it)%n",
                ClusterValues.decode(values).paths().size(),
                values.length,
                com.github.luben.zstd.Zstd.compress(values, 1).length);

        try (KafkaCluster kafka = KafkaCluster.start(work.resolve("kafka"), 1);
                MembersReader reader = new MembersReader()) {
            String bootstrap = kafka.bootstrapServers();
            KafkaRecords.createTopic(
                    bootstrap, "haproxystats.cluster-values", 1, 1, Map.of("max.message.bytes", "67108864"));
            long b = (System.currentTimeMillis() / 1000 - 3600) / window * window;
            List<ProducerRecord<byte[], byte[]>> backlog = new ArrayList<>();
            for (int w = 0; w < windows; w++) {
                for (int i = 0; i < lbs; i++) {
                    backlog.add(valuesRecord("lb" + i, b + w * window + i % window, files, values));
                }
            }
            // one more poll, late enough to close the last window
            backlog.add(valuesRecord("lb0", b + (windows + 1) * window + grace, files, values));
            KafkaRecords.produce(bootstrap, backlog);

            Path conf = Files.writeString(
                    work.resolve("central.conf"),
                    TestConfig.paths(work.resolve("central"))
                            + TestConfig.central(bootstrap, reader.port(), "bench", 4)
                            + """
                    [cluster]
                    aggregate = true
                    window = %d
                    grace = %d
                    [clusters]
                    bench = ^lb
                    """.formatted(window, grace));
            long started = System.nanoTime();
            Process central =
                    Daemons.start(exe, conf, work.resolve("central.log"), Map.of("HAPROXYSTATS_JAVA_OPTS", "-Xmx1g"));
            try {
                for (int w = 0; w < windows; w++) {
                    long ws = b + w * window;
                    Wait.until(Duration.ofMinutes(10), () -> reader.arrived.containsKey(ws), "window " + ws);
                }
                long first = reader.arrived.get(b);
                long last = reader.arrived.get(b + (windows - 1) * window);
                System.out.printf(
                        Locale.ROOT,
                        "backlog: %d windows x %d load balancers closed in %.2f s from the first window's lines to"
                                + " the last's: %.1f windows/s (%.0f load balancer values/s); first lines %.1f s after"
                                + " the processor's start%n",
                        windows,
                        lbs,
                        (last - first) / 1e9,
                        (windows - 1) / ((last - first) / 1e9),
                        (windows - 1) * lbs / ((last - first) / 1e9),
                        (first - started) / 1e9);
                if (realtime > 0) {
                    realtime(bootstrap, reader, files, lbs, realtime, window, grace);
                }
            } finally {
                central.destroy(); // SIGTERM (Daemons.stop asserts, with JUnit, which the bench has not)
                central.waitFor();
            }
        }
    }

    /** Real-time windows: polls through the central computation, lines timed at the reader. */
    private static void realtime(
            String bootstrap,
            MembersReader reader,
            SortedMap<String, byte[]> files,
            int lbs,
            int windows,
            long window,
            long grace)
            throws Exception {
        PollContainer.Compressed poll = PollContainer.compress(files);
        long start = (System.currentTimeMillis() / 1000 / window + 1) * window;
        Map<Long, Long> lastProduced = new TreeMap<>();
        // the windows measured, then enough time for the last of them to close
        long end = start + (windows + 1) * window + grace + window;
        try (var producer = KafkaRecords.producer(bootstrap)) {
            for (long second = start; second < end; second++) {
                sleepUntil(second * 1000);
                for (int i = 0; i < lbs; i++) {
                    if (i % window == (second - start) % window) {
                        producer.send(new ProducerRecord<>(
                                "haproxystats.polls",
                                null,
                                null,
                                ("lb" + i).getBytes(StandardCharsets.UTF_8),
                                poll.value(),
                                KafkaFaultsIT.headers(Long.toString(second), poll.size())));
                    }
                }
                producer.flush();
                lastProduced.put(Math.floorDiv(second, window) * window, System.nanoTime());
            }
        }
        List<Double> total = new ArrayList<>();
        List<Double> afterClose = new ArrayList<>();
        long nanoOffset = System.currentTimeMillis() * 1_000_000 - System.nanoTime();
        for (int w = 0; w < windows; w++) {
            long ws = start + w * window;
            Wait.until(Duration.ofSeconds(60), () -> reader.arrived.containsKey(ws), "real-time window " + ws);
            long arrived = reader.arrived.get(ws);
            total.add((arrived - lastProduced.get(ws)) / 1e9);
            afterClose.add((arrived + nanoOffset - (ws + window + grace) * 1_000_000_000L) / 1e9);
        }
        Collections.sort(total);
        Collections.sort(afterClose);
        System.out.printf(
                Locale.ROOT,
                "real time: %d windows, %d polls/s through the central processor; last poll of a window ->"
                        + " its lines at the reader: median %.2f s, max %.2f s; of which after the window's end"
                        + " + grace: median %.2f s, max %.2f s%n",
                windows,
                lbs / window,
                total.get(total.size() / 2),
                total.get(total.size() - 1),
                afterClose.get(afterClose.size() / 2),
                afterClose.get(afterClose.size() - 1));
    }

    static void sleepUntil(long epochMillis) throws InterruptedException {
        long wait = epochMillis - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }

    /** One poll's values record, computed as a central processor does for load balancer lb0. */
    private static byte[] values(Path work, SortedMap<String, byte[]> files) throws Exception {
        Path conf = Files.writeString(work.resolve("values.conf"), "[paths]\nbase-dir = " + work + "\n");
        ProcessConfig config = ProcessConfig.from(ConfigLoader.load(conf, null));
        MetricPaths paths = new MetricPaths(config.graphite(), "lb0");
        PollComputation computation = new PollComputation(config.process(), paths, Clock.system());
        Map<String, String> text = new TreeMap<>();
        files.forEach((name, bytes) -> text.put(name, new String(bytes, StandardCharsets.UTF_8)));
        MetricBatch batch = computation
                .compute("1", text, java.util.Set.of(), java.util.Set.of())
                .batch();
        return ClusterValues.of("lb0", 1, batch, paths.prefix()).encode();
    }

    private static ProducerRecord<byte[], byte[]> valuesRecord(
            String lb, long epoch, SortedMap<String, byte[]> files, byte[] template) {
        ClusterValues t = ClusterValues.decode(template);
        byte[] v = new ClusterValues(lb, epoch, t.paths(), t.values()).encode();
        return new ProducerRecord<>(
                "haproxystats.cluster-values", null, epoch * 1000, "bench".getBytes(StandardCharsets.UTF_8), v);
    }

    private static SortedMap<String, byte[]> read(Path dir) throws IOException {
        SortedMap<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                out.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    /** A Graphite plaintext listener noting when each window's cluster Members line arrives. */
    static final class MembersReader implements AutoCloseable {
        final Map<Long, Long> arrived = new ConcurrentHashMap<>();
        private final LineSink server = LineSink.lines(line -> {
            if (line.startsWith("bench.cluster.bench.haproxystats.Members ")) {
                long ws = Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
                arrived.putIfAbsent(ws, System.nanoTime());
            }
        });

        MembersReader() throws IOException {}

        int port() {
            return server.port();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
