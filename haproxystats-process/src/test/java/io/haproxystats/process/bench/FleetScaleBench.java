package io.haproxystats.process.bench;

import io.haproxystats.common.testing.CarbonRelay;
import io.haproxystats.common.testing.Daemons;
import io.haproxystats.common.testing.KafkaCluster;
import io.haproxystats.common.testing.LineSink;
import io.haproxystats.common.testing.TestConfig;
import io.haproxystats.common.testing.Wait;
import io.haproxystats.process.kafka.PollContainer;
import io.haproxystats.process.kafka.PollRecord;
import io.haproxystats.process.testing.KafkaRecords;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;

/**
 * A simulated fleet (bench/fleet-scale-bench.sh): LBS load balancers' edges played by this one
 * process, a real broker, CENTRALS built haproxystats-process central processors ({@code source =
 * kafka}, {@code [cluster] aggregate = true}, the central unit's JVM options) and a real
 * carbon-c-relay forwarding every line to an in-process reader that notes when lines arrive.
 *
 * <p>Each load balancer sends one poll every INTERVAL seconds at its own phase (the phases spread
 * evenly over the interval), made from four templates: the real captures (80 KB, 4 processes) and
 * three generated polls of 0.5, 1.8 and 4.9 MB (LargePollGenerator, 12,823 to 31,575 lines), for
 * 6, 3 and 1 load balancers in 100. Records are what the edge produces (the
 * poll container, zstd level 1, compressed once per template; the cluster header: CLUSTER_SIZE
 * load balancers a cluster). The broker runs with Kafka's own flush defaults, not the tests'
 * fsync a record.
 *
 * <p>Reported, over the run after the first quarter (warm-up): polls a second delivered by each
 * central processor and its CPU a poll (/proc, all threads), the consumer lag of the polls group
 * and of the aggregation's group sampled every 5 s (bounded or growing), the time from a poll's
 * production (its epoch, to the millisecond) to its last line at the reader (p50/p99/max), the time
 * from a cluster window's end to its {@code Members} line (p50/p99; the window cannot close before
 * its end plus the grace), lines a second at the reader, the broker's bytes a second, each
 * processor's peak resident memory. Prints figures; asserts nothing.
 *
 * <pre>FleetScaleBench EXECUTABLE CAPTURES_DIR [LBS 500] [CENTRALS 2] [SECONDS 120] [PARTITIONS 12]
 *     [CLUSTER_SIZE 10] [INTERVAL 10]</pre>
 *
 * {@code -Dbench.central.opts} sets the central processors' JVM options, {@code
 * -Dbench.workers} their workers (4).
 */
public final class FleetScaleBench {

    /** {@code -Dbench.relay=off}: the central processors send to the reader directly, no relay between. */
    private static final boolean RELAY = !"off".equals(System.getProperty("bench.relay"));

    private static final String NS = "fleet";
    private static final String POLLS_TOPIC = "haproxystats.polls";
    private static final String VALUES_TOPIC = "haproxystats.cluster-values";

    /** A poll as the edge sends it: the compressed container and the size of its files. */
    record Template(String name, PollContainer.Compressed poll, long files, long lines) {}

    public static void main(String[] args) throws Exception {
        Path exe = Path.of(args[0]);
        Path captures = Path.of(args[1]);
        int lbs = arg(args, 2, 500);
        int centrals = arg(args, 3, 2);
        int seconds = arg(args, 4, 120);
        int partitions = arg(args, 5, 12);
        int clusterSize = arg(args, 6, 10);
        int interval = arg(args, 7, 10);
        int workers = Integer.getInteger("bench.workers", 4);
        String centralOpts = System.getProperty("bench.central.opts", KafkaBench.CENTRAL_UNIT_OPTS);
        Path work = Files.createTempDirectory("fleet-scale-bench");
        try {
            run(exe, captures, work, lbs, centrals, seconds, partitions, clusterSize, interval, workers, centralOpts);
        } finally {
            KafkaBench.deleteTree(work);
        }
    }

    private static void run(
            Path exe,
            Path captures,
            Path work,
            int lbs,
            int centrals,
            int seconds,
            int partitions,
            int clusterSize,
            int interval,
            int workers,
            String centralOpts)
            throws Exception {
        List<Template> templates = List.of(
                template(captures, work),
                template(LargePollGenerator.generate(captures, work.resolve("t1"), "1", 4, 40, 8, 1), work),
                template(LargePollGenerator.generate(captures, work.resolve("t2"), "1", 8, 60, 10, 2), work),
                template(LargePollGenerator.generate(captures, work.resolve("t3"), "1", 16, 50, 18, 3), work));
        Template[] kinds = new Template[lbs];
        for (int i = 0; i < lbs; i++) {
            // in each 100 load balancers (7 is prime to 100: a permutation of each block), 1 of the
            // largest, 3 of the next, 6 of the next, 90 the captures; a smoke of 20 has two larger ones
            int r = i * 7 % 100;
            kinds[i] = templates.get(r == 99 ? 3 : r >= 96 ? 2 : r >= 90 ? 1 : 0);
        }
        double pollsPerSecond = lbs / (double) interval;
        double bytesPerPoll = 0;
        double linesPerPoll = 0;
        for (Template k : kinds) {
            bytesPerPoll += k.poll().value().length / (double) lbs;
            linesPerPoll += k.lines() / (double) lbs;
        }
        System.out.printf(
                Locale.ROOT,
                "fleet scale bench: %d load balancers (clusters of %d) every %d s = %.1f polls/s, %d central"
                        + " processors x %d workers, %d partitions, %d s (first %d s warm-up); JVM %s; %s%n",
                lbs,
                clusterSize,
                interval,
                pollsPerSecond,
                centrals,
                workers,
                partitions,
                seconds,
                seconds / 4,
                centralOpts,
                RELAY ? "lines through carbon-c-relay" : "no relay: lines straight to the reader");
        for (Template t : templates) {
            long count = java.util.Arrays.stream(kinds).filter(k -> k == t).count();
            System.out.printf(
                    Locale.ROOT,
                    "  poll of %-8s files %,11d B, record %,10d B, %,7d lines: %d load balancers%n",
                    t.name(),
                    t.files(),
                    t.poll().value().length,
                    t.lines(),
                    count);
        }
        System.out.printf(
                Locale.ROOT,
                "  offered: %.0f record bytes/s to the broker, %.0f lines/s%n",
                bytesPerPoll * pollsPerSecond,
                linesPerPoll * pollsPerSecond);

        try (KafkaCluster kafka = KafkaCluster.start(
                        work.resolve("kafka"),
                        1,
                        partitions,
                        Map.of("log.flush.interval.messages", Long.toString(Long.MAX_VALUE)));
                Reader reader = new Reader();
                CarbonRelay relay = RELAY ? CarbonRelay.forwardingOnlyTo(work, reader.port()) : null) {
            int graphitePort = RELAY ? relay.port() : reader.port();
            String bootstrap = kafka.bootstrapServers();
            Map<String, String> big = Map.of("max.message.bytes", Integer.toString(64 << 20));
            KafkaRecords.createTopic(bootstrap, POLLS_TOPIC, partitions, 1, big);
            KafkaRecords.createTopic(bootstrap, VALUES_TOPIC, partitions, 1, big);
            KafkaRecords.createTopic(bootstrap, "haproxystats.cluster-lines", partitions, 1, big);

            List<Central> processes = new ArrayList<>();
            for (int c = 0; c < centrals; c++) {
                Path base = Files.createDirectories(work.resolve("central-" + c));
                Path conf = Files.writeString(
                        base.resolve("haproxystats.conf"),
                        TestConfig.paths(base)
                                + TestConfig.central(bootstrap, graphitePort, NS, workers)
                                + """
                                [cluster]
                                aggregate = true
                                window = %d
                                """.formatted(interval));
                Path log = base.resolve("process.log");
                processes.add(
                        new Central(Daemons.start(exe, conf, log, Map.of("HAPROXYSTATS_JAVA_OPTS", centralOpts)), log));
            }
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                for (Central c : processes) {
                    Wait.until(
                            Duration.ofSeconds(90),
                            () -> Daemons.read(c.log()).contains("ready: "),
                            c.log() + " ready");
                }
                Map<String, Long> others = new java.util.LinkedHashMap<>();
                if (RELAY) {
                    others.put("carbon-c-relay", relay.pid());
                }
                for (long pid : kafka.pids()) {
                    others.put("broker", pid);
                }
                others.put(
                        "this process (edges, reader)", ProcessHandle.current().pid());
                measure(bootstrap, admin, reader, processes, others, kinds, lbs, seconds, clusterSize, interval, work);
                if (RELAY) {
                    relayLog(work);
                }
            } finally {
                for (Central c : processes) {
                    c.process().destroy();
                }
                for (Central c : processes) {
                    c.process().waitFor();
                }
            }
        }
    }

    record Central(Process process, Path log) {}

    /** What carbon-c-relay logged (it says so when it drops lines, its queue full). */
    private static void relayLog(Path work) throws IOException {
        try (Stream<Path> files = Files.list(work)) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches("relay-.*\\.log"))
                    .toList()) {
                List<String> lines =
                        Files.readAllLines(f).stream().filter(l -> !l.isBlank()).toList();
                System.out.printf(
                        Locale.ROOT,
                        "carbon-c-relay's log: %d lines%s%n",
                        lines.size(),
                        lines.isEmpty() ? "" : "; the last: " + lines.getLast());
            }
        }
    }

    private static void measure(
            String bootstrap,
            Admin admin,
            Reader reader,
            List<Central> centrals,
            Map<String, Long> others,
            Template[] kinds,
            int lbs,
            int seconds,
            int clusterSize,
            int interval,
            Path work)
            throws Exception {
        long periodMs = interval * 1000L;
        long start = (System.currentTimeMillis() / 1000 + 2) * 1000;
        long end = start + seconds * 1000L;
        long warm = start + seconds * 1000L / 4;
        Map<String, Long> produced = new ConcurrentHashMap<>(); // "lb epoch" -> production, epoch ms
        AtomicLong failed = new AtomicLong();
        List<String> lagSeries = new ArrayList<>();
        List<Long> lags = new ArrayList<>();
        long[][] cpuAtWarm = new long[centrals.size()][];
        long warmAt = 0;
        long linesAtWarm = 0;
        long[] brokerAtWarm = {0, 0};
        long nextSample = start + 5000;
        Map<String, Long> othersAtWarm = new java.util.HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = KafkaRecords.producer(bootstrap)) {
            long period = 0;
            int next = 0;
            while (true) {
                long due = start + period * periodMs + next * periodMs / lbs;
                if (due >= end) {
                    break;
                }
                if (nextSample <= due) {
                    ClusterBench.sleepUntil(nextSample);
                    long lag = lag(admin, "haproxystats-process", POLLS_TOPIC);
                    long valuesLag = lag(admin, "haproxystats-cluster", VALUES_TOPIC);
                    lags.add(lag);
                    lagSeries.add(lag + "/" + valuesLag);
                    if (warmAt == 0 && nextSample >= warm) {
                        warmAt = System.currentTimeMillis();
                        for (int c = 0; c < centrals.size(); c++) {
                            cpuAtWarm[c] = KafkaBench.threadTicks(
                                    centrals.get(c).process().pid());
                        }
                        linesAtWarm = reader.lines.get();
                        for (Map.Entry<String, Long> o : others.entrySet()) {
                            othersAtWarm.put(o.getKey(), ProcessBench.cpuTicks(o.getValue()));
                        }
                        brokerAtWarm = brokerBytes(work.resolve("kafka"));
                    }
                    nextSample += 5000;
                    continue;
                }
                ClusterBench.sleepUntil(due);
                int i = next;
                String lb = lbName(i);
                long epoch = due / 1000;
                Template t = kinds[i];
                PollRecord record =
                        new PollRecord(lb, Long.toString(epoch), t.poll().size(), Optional.of(cluster(i, clusterSize)));
                produced.put(lb + " " + epoch, System.currentTimeMillis());
                producer.send(
                        record.toProducerRecord(
                                POLLS_TOPIC,
                                System.currentTimeMillis(),
                                t.poll().value()),
                        (meta, e) -> {
                            if (e != null) {
                                failed.incrementAndGet();
                            }
                        });
                if (++next == lbs) {
                    next = 0;
                    period++;
                }
            }
            producer.flush();
        }
        long endAt = System.currentTimeMillis();
        long[][] cpuAtEnd = new long[centrals.size()][];
        for (int c = 0; c < centrals.size(); c++) {
            cpuAtEnd[c] = KafkaBench.threadTicks(centrals.get(c).process().pid());
        }
        long linesAtEnd = reader.lines.get();
        Map<String, Long> othersAtEnd = new java.util.HashMap<>();
        for (Map.Entry<String, Long> o : others.entrySet()) {
            othersAtEnd.put(o.getKey(), ProcessBench.cpuTicks(o.getValue()));
        }
        long[] brokerAtEnd = brokerBytes(work.resolve("kafka"));
        double measured = (endAt - warmAt) / 1000.0;

        // the stragglers: every poll's lines, then the windows up to the last poll's closed
        long drainUntil = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < drainUntil
                && !produced.keySet().stream().allMatch(reader.arrived::containsKey)) {
            Thread.sleep(500);
        }
        long drained = System.currentTimeMillis() - end;
        long lastDrain = lag(admin, "haproxystats-process", POLLS_TOPIC);

        System.out.printf(
                Locale.ROOT,
                "produced %d polls (%d failed); lag of the polls group / of the aggregation's group, records,"
                        + " every 5 s: %s%n",
                produced.size(),
                failed.get(),
                String.join(" ", lagSeries));
        int third = Math.max(1, lags.size() / 3);
        double firstThird = lags.subList(0, third).stream()
                .mapToLong(Long::longValue)
                .average()
                .orElse(0);
        double lastThird = lags.subList(lags.size() - third, lags.size()).stream()
                .mapToLong(Long::longValue)
                .average()
                .orElse(0);
        long maxLag = lags.stream().mapToLong(Long::longValue).max().orElse(0);
        System.out.printf(
                Locale.ROOT,
                "polls lag: max %d records, mean %.1f in the first third and %.1f in the last: %s; %d left %.1f s"
                        + " after the last poll was produced%n",
                maxLag,
                firstThird,
                lastThird,
                lastThird <= Math.max(firstThird * 1.5, lbs / (double) interval) ? "bounded" : "growing",
                lastDrain,
                drained / 1000.0);

        // "lb epoch" -> when a central processor logged "(POLL of LB): N lines delivered"
        Map<String, Long> delivered = new java.util.HashMap<>();
        double totalPolls = 0;
        for (int c = 0; c < centrals.size(); c++) {
            Central central = centrals.get(c);
            Map<String, Long> own = deliveredAt(central.log());
            delivered.putAll(own);
            long from = warmAt;
            long polls =
                    own.values().stream().filter(t -> t > from && t <= endAt).count();
            totalPolls += polls;
            double cpu = (cpuAtEnd[c][0] - cpuAtWarm[c][0]) / (double) KafkaBench.HZ;
            double jit = (cpuAtEnd[c][1] - cpuAtWarm[c][1]) / (double) KafkaBench.HZ;
            System.out.printf(
                    Locale.ROOT,
                    "central %d: %d polls in %.1f s = %.1f polls/s; CPU %.1f s = %.1f%% of a core, %.4f s a poll"
                            + " (JIT compiler threads %.4f); VmHWM %s%n",
                    c,
                    polls,
                    measured,
                    polls / measured,
                    cpu,
                    100 * cpu / measured,
                    polls > 0 ? cpu / polls : Double.NaN,
                    polls > 0 ? jit / polls : Double.NaN,
                    ProcessBench.procStatus(central.process().pid(), "VmHWM"));
        }
        System.out.printf(
                Locale.ROOT,
                "all central processors: %.1f polls/s; %.0f lines/s at the reader; broker: %.0f bytes/s of polls"
                        + " topic segments, %.0f bytes/s of all topics' (values, changelogs, lines, offsets)%n",
                totalPolls / measured,
                (linesAtEnd - linesAtWarm) / measured,
                (brokerAtEnd[0] - brokerAtWarm[0]) / measured,
                (brokerAtEnd[1] - brokerAtWarm[1]) / measured);

        StringBuilder rest = new StringBuilder();
        for (String name : others.keySet()) {
            rest.append(String.format(
                    Locale.ROOT,
                    "%s%s %.0f%%",
                    rest.isEmpty() ? "" : ", ",
                    name,
                    100 * (othersAtEnd.get(name) - othersAtWarm.get(name)) / (double) KafkaBench.HZ / measured));
        }
        System.out.printf(
                Locale.ROOT,
                "CPU of the other processes, %% of a core (%d cores here): %s%n",
                Runtime.getRuntime().availableProcessors(),
                rest);

        List<Long> latency = new ArrayList<>();
        int[] lost = {0};
        produced.forEach((key, at) -> {
            long epoch = Long.parseLong(key.substring(key.indexOf(' ') + 1));
            Long arrived = reader.arrived.get(key);
            if (arrived == null) {
                lost[0]++;
            } else if (epoch * 1000 >= warm) {
                latency.add(arrived - at);
            }
        });
        List<Long> toDelivered = new ArrayList<>();
        produced.forEach((key, at) -> {
            long epoch = Long.parseLong(key.substring(key.indexOf(' ') + 1));
            Long d = delivered.get(key);
            if (d != null && epoch * 1000 >= warm) {
                toDelivered.add(d - at);
            }
        });
        System.out.printf(
                Locale.ROOT,
                "poll produced -> 'lines delivered' in its central processor's log (the Graphite peer's TCP acknowledged"
                        + " them): p50 %d ms, p99 %d ms, max %d ms%n",
                percentile(toDelivered, 50),
                percentile(toDelivered, 99),
                percentile(toDelivered, 100));
        System.out.printf(
                Locale.ROOT,
                "poll produced -> its last line at the reader (%d polls after the warm-up; %d polls without lines"
                        + " 2 minutes after the end): p50 %d ms, p99 %d ms, max %d ms%n",
                latency.size(),
                lost[0],
                percentile(latency, 50),
                percentile(latency, 99),
                percentile(latency, 100));

        // windows of the measured run, closed by the later polls (grace: two windows by default)
        long grace = 2L * interval;
        long lastWindow = (end / 1000 - grace - 3L * interval) / interval * interval;
        long windowsUntil = System.currentTimeMillis() + (grace + 4L * interval + 30) * 1000;
        while (System.currentTimeMillis() < windowsUntil
                && reader.members.keySet().stream().noneMatch(k -> k.endsWith(" " + lastWindow))) {
            Thread.sleep(500);
        }
        List<Long> close = new ArrayList<>();
        int clusters = (lbs + clusterSize - 1) / clusterSize;
        int missing = 0;
        for (long ws = (warm / 1000 + interval - 1) / interval * interval; ws <= lastWindow; ws += interval) {
            for (int c = 0; c < clusters; c++) {
                Long at = reader.members.get("c" + c + " " + ws);
                if (at == null) {
                    missing++;
                } else {
                    close.add(at - (ws + interval) * 1000);
                }
            }
        }
        System.out.printf(
                Locale.ROOT,
                "cluster windows (%d clusters, %d windows closed, %d not seen): window end -> Members line at the"
                        + " reader p50 %d ms, p99 %d ms, max %d ms (grace %d s)%n",
                clusters,
                close.size(),
                missing,
                percentile(close, 50),
                percentile(close, 99),
                percentile(close, 100),
                grace);
    }

    private static String lbName(int i) {
        return String.format(Locale.ROOT, "lb%05d", i);
    }

    private static String cluster(int lb, int clusterSize) {
        return "c" + lb / clusterSize;
    }

    /** The group's committed offsets behind the topic's ends, summed over partitions (none committed: the end). */
    private static long lag(Admin admin, String group, String topic) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get();
        int partitions = admin.describeTopics(List.of(topic))
                .allTopicNames()
                .get()
                .get(topic)
                .partitions()
                .size();
        Map<TopicPartition, OffsetSpec> latest = new TreeMap<>(Comparator.comparingInt(TopicPartition::partition));
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        long lag = 0;
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e :
                admin.listOffsets(latest).all().get().entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            lag += e.getValue().offset() - (c == null ? 0 : c.offset());
        }
        return lag;
    }

    private static final Pattern DELIVERED_POLL = Pattern.compile(
            "(?m)^\\S+ (\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*\\((\\d+) of ([^)]+)\\): \\d+ lines delivered$");

    /** "lb epoch" -> when its "lines delivered" line was logged, epoch ms (today, this host's zone). */
    private static Map<String, Long> deliveredAt(Path log) throws IOException {
        Map<String, Long> into = new java.util.HashMap<>();
        java.time.LocalDate today = java.time.LocalDate.now();
        Matcher m = DELIVERED_POLL.matcher(Files.readString(log));
        while (m.find()) {
            long at = LocalTime.parse(m.group(1))
                    .atDate(today)
                    .atZone(java.time.ZoneId.systemDefault())
                    .toInstant()
                    .toEpochMilli();
            into.put(m.group(3) + " " + m.group(2), at);
        }
        return into;
    }

    private static long percentile(Collection<Long> values, int p) {
        if (values.isEmpty()) {
            return -1;
        }
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(Math.max(0, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)); // nearest rank
    }

    private static Template template(Path dir, Path work) throws IOException {
        SortedMap<String, byte[]> files = new TreeMap<>();
        long size = 0;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                byte[] b = Files.readAllBytes(p);
                files.put(p.getFileName().toString(), b);
                size += b.length;
            }
        }
        long lines = io.haproxystats.process.testing.Fixtures.computation(
                        Files.createTempDirectory(work, "lines"), "[graphite]\nnamespace = x\n", "h")
                .compute(
                        dir.getFileName().toString(),
                        io.haproxystats.process.testing.Fixtures.files(dir),
                        java.util.Set.of(),
                        java.util.Set.of())
                .batch()
                .text()
                .lines()
                .count();
        String name = size < 1_000_000
                ? String.format(Locale.ROOT, "%.0f KB", size / 1e3)
                : String.format(Locale.ROOT, "%.1f MB", size / 1e6);
        return new Template(name, PollContainer.compress(files), size, lines);
    }

    /** The log segments' bytes: of the polls topic and, apart, of every topic (internal ones included). */
    private static long[] brokerBytes(Path kafkaDir) throws IOException {
        return new long[] {KafkaBench.segmentBytes(kafkaDir, POLLS_TOPIC + "-"), KafkaBench.segmentBytes(kafkaDir, "")};
    }

    private static int arg(String[] args, int i, int fallback) {
        return args.length > i ? Integer.parseInt(args[i]) : fallback;
    }

    /**
     * The Graphite reader behind the relay: counts lines and notes, per load balancer and poll
     * epoch, when its last line so far arrived, and per cluster and window when its {@code
     * Members} line arrived (epoch milliseconds). Lines are read as bytes, a string made only when
     * a run of one poll's lines ends in a chunk, so the reader takes little CPU from the processes it measures.
     */
    static final class Reader implements AutoCloseable {
        final Map<String, Long> arrived = new ConcurrentHashMap<>();
        final Map<String, Long> members = new ConcurrentHashMap<>();
        final AtomicLong lines = new AtomicLong();
        private static final byte[] LB = (NS + ".lb").getBytes(StandardCharsets.US_ASCII);
        private static final byte[] CLUSTER = (NS + ".cluster.").getBytes(StandardCharsets.US_ASCII);
        private static final String MEMBERS = ".haproxystats.Members ";
        private final LineSink server = LineSink.chunks(new Connection()::feed);

        Reader() throws IOException {}

        int port() {
            return server.port();
        }

        /** One connection's line assembly (LineSink calls a connection's chunks on one thread). */
        private final class Connection {
            private final Map<Thread, byte[]> partial = new ConcurrentHashMap<>();

            void feed(byte[] buffer, int length) {
                byte[] carry = partial.remove(Thread.currentThread());
                byte[] data = buffer;
                int n = length;
                if (carry != null) {
                    data = java.util.Arrays.copyOf(carry, carry.length + length);
                    System.arraycopy(buffer, 0, data, carry.length, length);
                    n = data.length;
                }
                long now = System.currentTimeMillis();
                long runKey = -1;
                int lineStart = 0;
                int count = 0;
                for (int i = 0; i < n; i++) {
                    if (data[i] != '\n') {
                        continue;
                    }
                    count++;
                    long key = key(data, lineStart, i);
                    if (key >= 0 && key != runKey) {
                        note(runKey, now);
                        runKey = key;
                    }
                    lineStart = i + 1;
                }
                note(runKey, now);
                lines.addAndGet(count);
                if (lineStart < n) {
                    partial.put(Thread.currentThread(), java.util.Arrays.copyOfRange(data, lineStart, n));
                }
            }

            private void note(long key, long now) {
                if (key >= 0) {
                    arrived.put(lbName((int) (key / 10_000_000_000L)) + " " + key % 10_000_000_000L, now);
                }
            }

            /**
             * A load balancer's line ({@code fleet.lbNNNNN.... value epoch}): its number x 10^10 +
             * the epoch, no allocation; notes a cluster's Members line; -1 for any other line.
             */
            private long key(byte[] b, int from, int to) {
                if (startsWith(b, from, to, LB)) {
                    long lb = 0;
                    int i = from + LB.length;
                    for (; i < to && b[i] != '.'; i++) {
                        lb = lb * 10 + (b[i] - '0');
                    }
                    int space = to - 1;
                    while (space > i && b[space] != ' ') {
                        space--;
                    }
                    long epoch = 0;
                    for (int j = space + 1; j < to; j++) {
                        epoch = epoch * 10 + (b[j] - '0');
                    }
                    return lb * 10_000_000_000L + epoch;
                }
                if (startsWith(b, from, to, CLUSTER)) {
                    String line = new String(b, from, to - from, StandardCharsets.US_ASCII);
                    int m = line.indexOf(MEMBERS);
                    if (m > 0) {
                        String cluster = line.substring(CLUSTER.length, m);
                        String ws = line.substring(line.lastIndexOf(' ') + 1);
                        members.putIfAbsent(cluster + " " + ws, System.currentTimeMillis());
                    }
                }
                return -1;
            }

            private static boolean startsWith(byte[] b, int from, int to, byte[] prefix) {
                if (to - from < prefix.length) {
                    return false;
                }
                for (int i = 0; i < prefix.length; i++) {
                    if (b[from + i] != prefix[i]) {
                        return false;
                    }
                }
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
