package io.haproxystats.process.fleet;

import io.haproxystats.common.config.KafkaSettings;
import io.haproxystats.process.kafka.FleetRecord;
import io.haproxystats.process.kafka.KafkaClients;
import io.haproxystats.process.kafka.Records;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the fleet page shows, kept current from Kafka by one thread: the servers-state topic read
 * from its start and followed (each key's latest record; a tombstone removes it), and, when the
 * cluster aggregation runs, the cluster lines topic's last windows ({@code Members},
 * {@code Expected}, {@code LatePolls}, {@code FuturePolls} of each cluster, read committed). It
 * never commits offsets, never creates a topic and never writes. Its own link to Kafka is checked
 * once a second by asking the brokers for the end offsets: when that fails for longer than the
 * timeout, {@link Snapshot#connected()} is false and the page says how old its data is.
 */
final class FleetFeed implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FleetFeed.class);

    /** The cluster windows kept per cluster (the page shows the latest ones). */
    static final int WINDOWS_KEPT = 6;

    /** One closed window's self lines of a cluster. */
    record ClusterWindow(long startSeconds, long members, long expected, long latePolls, long futurePolls) {}

    /**
     * The state at one moment.
     *
     * @param version      grows with every change of the records or of the link
     * @param contactMillis the last time the brokers answered (0: never)
     * @param caughtUp     the servers topic was read to its end once (the view is complete)
     * @param connected    the brokers answered within the timeout
     * @param problem      the last error from Kafka, for the page to show
     * @param refused      a line ({@code <topic>-<partition>@<offset>: <reason>}) for each key of the
     *                     servers topic whose latest record is not of its form, and for each record
     *                     without a key: left out of the view, and passed to the verdict as {@code
     *                     haproxystats-fleet servers} passes its reader's refusals
     */
    record Snapshot(
            long version,
            List<FleetRecord> records,
            SortedMap<String, List<ClusterWindow>> clusters,
            long contactMillis,
            boolean caughtUp,
            boolean connected,
            Optional<String> problem,
            List<String> refused) {}

    private final KafkaSettings kafka;
    private final Optional<String> linesTopic;
    private final Duration lookBack;
    private final Duration timeout;
    private final LongSupplier clock;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    // guarded by this
    private final Map<String, FleetRecord> records = new HashMap<>();
    /** By key (its bytes as ISO-8859-1, as the CLI's reader keys them), the latest record's refusal; topic order. */
    private final Map<String, String> refused = new LinkedHashMap<>();
    /**
     * By {@code <partition>@<offset>}, the refusals of records without a key: a re-read of the
     * topic (a new consumer after a lost link) finds the same ones, which must not count twice.
     */
    private final Map<String, String> keyless = new LinkedHashMap<>();
    /** Refusals logged so far; never goes back, so that at most {@link #REFUSALS_LOGGED} are. */
    private long logged;

    private final Map<String, TreeMap<Long, ClusterWindow>> clusters = new TreeMap<>();
    private final Map<String, Map<Long, long[]>> partial = new HashMap<>();
    private long version;
    private long contactMillis;
    private boolean caughtUp;
    private boolean connected;
    private String problem;
    private List<FleetRecord> recordsCopy = List.of();
    private List<String> refusedCopy = List.of();
    private long copied = -1;

    /**
     * @param linesTopic the cluster lines topic, when the aggregation runs
     * @param lookBack   how far back to read the lines topic at start (a few windows)
     * @param timeout    how long the brokers may not answer before the link is said lost
     */
    FleetFeed(
            KafkaSettings kafka, Optional<String> linesTopic, Duration lookBack, Duration timeout, LongSupplier clock) {
        this.kafka = kafka;
        this.linesTopic = linesTopic;
        this.lookBack = lookBack;
        this.timeout = timeout;
        this.clock = clock;
        this.thread = Thread.ofPlatform().name("fleet-feed").daemon().unstarted(this::run);
    }

    FleetFeed start() {
        thread.start();
        return this;
    }

    synchronized Snapshot snapshot() {
        if (copied != version) {
            recordsCopy = List.copyOf(records.values());
            List<String> lines = new ArrayList<>(keyless.values());
            lines.addAll(refused.values());
            refusedCopy = List.copyOf(lines);
            copied = version;
        }
        SortedMap<String, List<ClusterWindow>> c = new TreeMap<>();
        clusters.forEach((name, windows) ->
                c.put(name, List.copyOf(windows.descendingMap().values())));
        return new Snapshot(
                version, recordsCopy, c, contactMillis, caughtUp, connected, Optional.ofNullable(problem), refusedCopy);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        thread.join(Duration.ofSeconds(10));
    }

    private void run() {
        while (running) {
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(properties())) {
                consumer = c;
                follow(c);
            } catch (WakeupException e) {
                return;
            } catch (KafkaException | IllegalStateException e) {
                LOG.warn("reading kafka topic {}: {}; again in 1 s", kafka.serversTopic(), e.getMessage());
                synchronized (this) {
                    problem = e.getMessage();
                    version++;
                }
                sleep(1000);
            }
        }
    }

    private Properties properties() {
        Properties p = KafkaClients.fleetReader(kafka, timeout);
        // Read-only: asking for a missing topic must not create it; the cluster lines are transactional.
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return p;
    }

    private void follow(KafkaConsumer<byte[], byte[]> c) {
        Set<TopicPartition> servers = new HashSet<>();
        Set<TopicPartition> lines = new HashSet<>();
        long nextCheck = 0;
        long nextTopics = 0;
        while (running) {
            long now = clock.getAsLong();
            if (now >= nextTopics && (servers.isEmpty() || (linesTopic.isPresent() && lines.isEmpty()))) {
                nextTopics = now + 5000;
                boolean changed = false;
                if (servers.isEmpty()) {
                    servers.addAll(partitions(c, kafka.serversTopic()));
                    changed = !servers.isEmpty();
                }
                Set<TopicPartition> newLines = new HashSet<>();
                if (linesTopic.isPresent() && lines.isEmpty()) {
                    newLines.addAll(partitions(c, linesTopic.get()));
                    changed |= !newLines.isEmpty();
                }
                if (changed) {
                    Set<TopicPartition> all = new HashSet<>(servers);
                    all.addAll(lines);
                    all.addAll(newLines);
                    boolean serversNew = !c.assignment().containsAll(servers);
                    c.assign(all);
                    if (serversNew) {
                        c.seekToBeginning(servers);
                    }
                    if (!newLines.isEmpty()) {
                        seekBack(c, newLines, now);
                        lines.addAll(newLines);
                    }
                }
            }
            if (now >= nextCheck) {
                nextCheck = now + 1000;
                check(c, servers, lines, now);
            }
            if (c.assignment().isEmpty()) {
                sleep(200);
                continue;
            }
            var polled = c.poll(Duration.ofMillis(200));
            if (!polled.isEmpty()) {
                take(polled);
            }
        }
    }

    /** A topic's partitions, none when it does not exist (yet: the central processors create it). */
    private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> c, String topic) {
        Map<String, List<PartitionInfo>> topics = c.listTopics(timeout);
        List<TopicPartition> out = new ArrayList<>();
        for (PartitionInfo i : topics.getOrDefault(topic, List.of())) {
            out.add(new TopicPartition(topic, i.partition()));
        }
        return out;
    }

    private void seekBack(KafkaConsumer<byte[], byte[]> c, Set<TopicPartition> partitions, long now) {
        Map<TopicPartition, Long> when = new HashMap<>();
        partitions.forEach(tp -> when.put(tp, now - lookBack.toMillis()));
        Map<TopicPartition, OffsetAndTimestamp> offsets = c.offsetsForTimes(when, timeout);
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp o = offsets.get(tp);
            if (o == null) {
                c.seekToEnd(List.of(tp));
            } else {
                c.seek(tp, o.offset());
            }
        }
    }

    /** Asks the brokers for the end offsets: the link's check, and whether the servers topic was read to its end. */
    private void check(
            KafkaConsumer<byte[], byte[]> c, Set<TopicPartition> servers, Set<TopicPartition> lines, long now) {
        try {
            Set<TopicPartition> all = new HashSet<>(servers);
            all.addAll(lines);
            if (all.isEmpty()) {
                c.listTopics(timeout); // no topic yet: the brokers' answer still tells the link is up
            }
            Map<TopicPartition, Long> end = all.isEmpty() ? Map.of() : c.endOffsets(all, timeout);
            boolean atEnd = true; // (no servers topic yet: nothing to read, the view is what there is)
            for (TopicPartition tp : servers) {
                atEnd &= c.position(tp, timeout) >= end.get(tp);
            }
            synchronized (this) {
                boolean changed = !connected || (atEnd && !caughtUp) || problem != null;
                contactMillis = clock.getAsLong();
                connected = true;
                caughtUp |= atEnd;
                problem = null;
                if (changed) {
                    version++;
                }
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            synchronized (this) {
                if (connected && clock.getAsLong() - contactMillis > timeout.toMillis()) {
                    LOG.warn(
                            "kafka: no answer from the brokers for {} ms: the page says its data is old",
                            timeout.toMillis());
                    connected = false;
                    problem = "no answer from the brokers: " + e.getMessage();
                    version++;
                }
            }
        }
    }

    /** Records read from either topic, in the topic's order: the view changes (a new version). */
    synchronized void take(Iterable<ConsumerRecord<byte[], byte[]>> polled) {
        for (ConsumerRecord<byte[], byte[]> r : polled) {
            if (r.topic().equals(kafka.serversTopic())) {
                server(r);
            } else {
                clusterLines(r);
            }
        }
        version++;
    }

    /** Refusals logged one by one up to this many; the page counts all of them. */
    static final int REFUSALS_LOGGED = 10;

    /**
     * A servers topic record: its key's latest record, a tombstone removing it, or one that is
     * not of the topic's form (another producer's), which takes the key out of the view and is
     * counted, as {@code haproxystats-fleet servers} does.
     */
    private void server(ConsumerRecord<byte[], byte[]> r) {
        if (r.key() == null) {
            if (keyless.putIfAbsent(r.partition() + "@" + r.offset(), refusal(r, "no key")) == null) {
                log(r, "no key");
            }
            return;
        }
        // The key's bytes whatever they are, as the CLI's reader keys them (a valid key is ASCII,
        // so this is also its FleetRecord.key()).
        String key = new String(r.key(), StandardCharsets.ISO_8859_1);
        Optional<FleetRecord> record;
        try {
            record = FleetRecord.read(r.key(), r.value());
        } catch (FleetRecord.MalformedException e) {
            records.remove(key);
            String before = refused.remove(key); // a key's latest last, as the topic's order has it
            refused.put(key, refusal(r, e.getMessage()));
            if (before == null) {
                log(r, e.getMessage());
            }
            return;
        }
        refused.remove(key);
        if (record.isEmpty()) {
            records.remove(key); // a tombstone: a retired key
        } else {
            records.put(record.get().key(), record.get());
        }
    }

    private static String refusal(ConsumerRecord<byte[], byte[]> r, String reason) {
        return Records.where(r) + ": " + reason;
    }

    private void log(ConsumerRecord<byte[], byte[]> r, String reason) {
        if (logged < REFUSALS_LOGGED) {
            logged++;
            LOG.warn(
                    "{}: not a servers-state record, left out of the page: {}{}",
                    Records.where(r),
                    Records.printable(reason, 300),
                    logged == REFUSALS_LOGGED ? " (further refusals are only counted on the page)" : "");
        }
    }

    /** Picks a window's self lines ({@code <...>.<cluster>.haproxystats.Members 3 <start>}) out of its record. */
    private void clusterLines(ConsumerRecord<byte[], byte[]> r) {
        if (r.key() == null || r.value() == null) {
            return;
        }
        String cluster = new String(r.key(), StandardCharsets.UTF_8);
        long start = r.timestamp() / 1000;
        String text = new String(r.value(), StandardCharsets.UTF_8);
        int at = text.indexOf(".haproxystats.");
        while (at >= 0) {
            int lineStart = text.lastIndexOf('\n', at) + 1;
            int lineEnd = text.indexOf('\n', at);
            String[] parts = text.substring(lineStart, lineEnd < 0 ? text.length() : lineEnd)
                    .split(" ");
            if (parts.length == 3) {
                String name = parts[0].substring(parts[0].lastIndexOf('.') + 1);
                int slot =
                        switch (name) {
                            case "Members" -> 0;
                            case "Expected" -> 1;
                            case "LatePolls" -> 2;
                            case "FuturePolls" -> 3;
                            default -> -1;
                        };
                if (slot >= 0) {
                    try {
                        long[] values = partial.computeIfAbsent(cluster, k -> new HashMap<>())
                                .computeIfAbsent(start, k -> new long[] {-1, -1, -1, -1});
                        values[slot] = (long) Double.parseDouble(parts[1]);
                        if (values[0] >= 0 && values[1] >= 0 && values[2] >= 0 && values[3] >= 0) {
                            TreeMap<Long, ClusterWindow> windows =
                                    clusters.computeIfAbsent(cluster, k -> new TreeMap<>());
                            windows.put(start, new ClusterWindow(start, values[0], values[1], values[2], values[3]));
                            while (windows.size() > WINDOWS_KEPT) {
                                windows.pollFirstEntry();
                            }
                            partial.get(cluster).remove(start);
                        }
                    } catch (NumberFormatException e) {
                        // not one of ours
                    }
                }
            }
            at = lineEnd < 0 ? -1 : text.indexOf(".haproxystats.", lineEnd);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
