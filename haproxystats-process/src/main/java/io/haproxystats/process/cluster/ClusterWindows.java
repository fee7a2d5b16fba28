package io.haproxystats.process.cluster;

import com.github.luben.zstd.Zstd;
import io.haproxystats.common.config.ClusterSettings;
import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.kafka.ClusterValues;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster aggregation's one processor (Kafka Streams, one instance per partition of the
 * values topic): records keyed by cluster, each one load balancer's values of one poll, folded
 * into tumbling windows aligned to the epoch on event time (the poll's epoch). A window is closed
 * once the partition's stream time (the latest poll epoch it saw) reaches the window's end plus
 * the grace; only then its lines are forwarded, all at once, timestamped with the window's start:
 * each path combined across the load balancers that reported ({@link ClusterAggregate}), and
 * {@code haproxystats.Members} (load balancers in the window), {@code .Expected} (load balancers
 * seen in the last {@code expected-windows} windows), {@code .LatePolls} (polls refused since the
 * previous window's lines because their window was closed) and {@code .FuturePolls} (refused
 * because their epoch is ahead of this machine's clock by more than a window and the grace, which
 * would close every other load balancer's windows early).
 *
 * <p>A load balancer with two polls in one window counts once: the later poll's values replace the
 * earlier's (whatever the arrival order). Everything is kept in one changelogged store, so a restart or a rebalance resumes
 * where the last committed transaction left it (exactly-once: the store, the lines and the offsets
 * commit together).
 */
final class ClusterWindows implements Processor<String, byte[], String, String> {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterWindows.class);

    static final String STORE = "cluster-windows";
    /** Lines forwarded per record, at most about this many bytes (the topic's default limit is 1 MB). */
    static final int CHUNK = 256 << 10;

    private static final byte[] EMPTY = new byte[0];
    private static final String TIME = "t";
    private static final StringSerializer KEYS = new StringSerializer();

    private final long window;
    private final long grace;
    private final long expectedSpan;
    private final long future;
    private final String base;
    private KeyValueStore<String, byte[]> store;
    private ProcessorContext<String, String> context;
    /** Records of the values topic refused by {@link ClusterValues#decode} or {@link ClusterValues#checkCluster}. */
    private long refusedRecords;

    /** @param namespace {@code [graphite] namespace}: lines are {@code <namespace>.cluster.<cluster>.<path>} */
    ClusterWindows(ClusterSettings settings, String namespace) {
        this.window = settings.window().toMillis();
        this.grace = settings.grace().toMillis();
        this.expectedSpan = (settings.expectedWindows() - 1) * window;
        this.future = Math.max(60_000, window + grace);
        this.base = namespace + ".cluster.";
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String cluster = record.key();
        ClusterValues values;
        try {
            ClusterValues.checkCluster(cluster);
            values = ClusterValues.decode(record.value());
        } catch (IllegalArgumentException e) {
            refusedRecords++; // input like any other: refused, counted, said once; the partition goes on
            LOG.error(
                    "{}-{}@{}: not a load balancer's values, refused ({} refused by this task): {}",
                    context.recordMetadata().map(m -> m.topic()).orElse("?"),
                    context.recordMetadata().map(m -> m.partition()).orElse(-1),
                    context.recordMetadata().map(m -> m.offset()).orElse(-1L),
                    refusedRecords,
                    e.getMessage());
            return;
        }
        long t = values.epochSeconds() * 1000;
        long now = context.currentSystemTimeMs();
        if (t > now + future) {
            if (!refused(cluster, values, true)) {
                return; // the same poll again (published twice, at-least-once): counted already
            }
            LOG.warn(
                    "cluster {}: poll {} of {} is {} s ahead of this machine's clock: left out (FuturePolls)",
                    cluster,
                    values.epochSeconds(),
                    values.loadBalancer(),
                    (t - now) / 1000);
            return;
        }
        long streamTime = Math.max(streamTime(), t);
        long start = Math.floorDiv(t, window) * window;
        if (start + window + grace <= streamTime) {
            if (!refused(cluster, values, false)) {
                return; // the same poll again: counted already
            }
            LOG.warn(
                    "cluster {}: poll {} of {} arrived after its window [{}, {}) closed (grace {} s): left out (LatePolls)",
                    cluster,
                    values.epochSeconds(),
                    values.loadBalancer(),
                    start / 1000,
                    (start + window) / 1000,
                    grace / 1000.0);
        } else {
            String key = windowKey(cluster, start) + "/" + values.loadBalancer();
            byte[] kept = store.get(key);
            if (kept == null || ByteBuffer.wrap(kept).getLong() <= values.epochSeconds()) {
                store.put(key, stored(values.epochSeconds(), record.value()));
            }
            store.put("o/" + windowKey(cluster, start).substring(2), EMPTY);
        }
        store.put(TIME, ByteBuffer.allocate(8).putLong(streamTime).array());
        closeDue(streamTime);
    }

    /**
     * A load balancer's values as the store keeps them: the poll's epoch (8 bytes, compared without
     * decompressing), then the record zstd-compressed (level 1): a large poll's values are 12.9 MB
     * as sent and 0.5 MB compressed, and the store holds a few windows of every load balancer.
     */
    static byte[] stored(long epochSeconds, byte[] values) {
        byte[] z = Zstd.compress(values, 1);
        return ByteBuffer.allocate(8 + z.length).putLong(epochSeconds).put(z).array();
    }

    static byte[] unstored(byte[] stored) {
        byte[] z = Arrays.copyOfRange(stored, 8, stored.length);
        return Zstd.decompress(z, (int) Zstd.getFrameContentSize(z));
    }

    /**
     * Counts a refused poll in the cluster's next lines (FuturePolls or LatePolls), once. The
     * central processors publish values at least once: a poll published again (its record
     * processed again after a rebalance of the poll consumers) that was already counted in a
     * closed window, or already refused, is not late; false for such a copy.
     */
    private boolean refused(String cluster, ClusterValues values, boolean future) {
        History h = history(cluster);
        if (h.recent.putIfAbsent(id(values.loadBalancer(), values.epochSeconds()), values.epochSeconds() * 1000)
                != null) {
            return false;
        }
        if (future) {
            h.future++;
        } else {
            h.late++;
        }
        store.put(historyKey(cluster), h.encode());
        return true;
    }

    private static String id(String loadBalancer, long epochSeconds) {
        return loadBalancer + " " + epochSeconds;
    }

    private long streamTime() {
        byte[] t = store.get(TIME);
        return t == null ? Long.MIN_VALUE : ByteBuffer.wrap(t).getLong();
    }

    /** {@code v/<cluster>/<start, 13 digits>}: the prefix of a window's values (ordered by start). */
    private static String windowKey(String cluster, long start) {
        return "v/" + cluster + "/" + String.format(java.util.Locale.ROOT, "%013d", start);
    }

    private static String historyKey(String cluster) {
        return "h/" + cluster;
    }

    /** Closes, in order, every open window the stream time has passed by the grace. */
    private void closeDue(long streamTime) {
        List<String> due = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> open = store.prefixScan("o/", KEYS)) {
            while (open.hasNext()) {
                String key = open.next().key;
                long start = Long.parseLong(key.substring(key.lastIndexOf('/') + 1));
                if (start + window + grace <= streamTime) {
                    due.add(key);
                }
            }
        }
        for (String key : due) {
            int slash = key.lastIndexOf('/');
            close(key.substring(2, slash), Long.parseLong(key.substring(slash + 1)));
            store.delete(key);
        }
    }

    private void close(String cluster, long start) {
        ClusterAggregate aggregate = new ClusterAggregate();
        List<String> keys = new ArrayList<>();
        History h = history(cluster);
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(windowKey(cluster, start) + "/", KEYS)) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                keys.add(kv.key);
                ClusterValues member = ClusterValues.decode(unstored(kv.value));
                aggregate.add(member);
                h.lastSeen.merge(member.loadBalancer(), start, Math::max);
                h.recent.put(id(member.loadBalancer(), member.epochSeconds()), member.epochSeconds() * 1000);
            }
        }
        keys.forEach(store::delete);
        h.lastSeen.values().removeIf(last -> last < start - expectedSpan);
        // A counted or refused poll is remembered as long as a copy of it could still arrive.
        h.recent.values().removeIf(epoch -> epoch < start - expectedSpan - window - grace);
        String prefix = base + cluster + ".";
        String ts = " " + start / 1000 + "\n";
        StringBuilder lines = new StringBuilder();
        for (Map.Entry<String, Double> e : aggregate.result().entrySet()) {
            lines.append(prefix)
                    .append(e.getKey())
                    .append(' ')
                    .append(MetricBatch.formatNumber(e.getValue()))
                    .append(ts);
            if (lines.length() >= CHUNK) {
                forward(cluster, lines, start);
            }
        }
        String self = prefix + "haproxystats.";
        lines.append(self).append("Members ").append(aggregate.members()).append(ts);
        lines.append(self).append("Expected ").append(h.lastSeen.size()).append(ts);
        lines.append(self).append("LatePolls ").append(h.late).append(ts);
        lines.append(self).append("FuturePolls ").append(h.future).append(ts);
        forward(cluster, lines, start);
        LOG.info(
                "cluster {}: window {} closed: {} of {} expected load balancers",
                cluster,
                start / 1000,
                aggregate.members(),
                h.lastSeen.size());
        h.late = 0;
        h.future = 0;
        store.put(historyKey(cluster), h.encode());
    }

    private void forward(String cluster, StringBuilder lines, long start) {
        context.forward(new Record<>(cluster, lines.toString(), start));
        lines.setLength(0);
    }

    private History history(String cluster) {
        byte[] b = store.get(historyKey(cluster));
        return b == null ? new History() : History.decode(b);
    }

    /**
     * A cluster's load balancers with the start of the last window each was in, the polls refused
     * since the last lines, and the polls recently counted in a closed window or refused
     * ({@code lb epoch} to epoch ms), so that a copy of one is neither late nor counted again.
     */
    private static final class History {
        final Map<String, Long> lastSeen = new TreeMap<>();
        final Map<String, Long> recent = new TreeMap<>();
        long late;
        long future;

        byte[] encode() {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeLong(late);
                out.writeLong(future);
                for (Map<String, Long> m : List.of(lastSeen, recent)) {
                    out.writeInt(m.size());
                    for (Map.Entry<String, Long> e : m.entrySet()) {
                        out.writeUTF(e.getKey());
                        out.writeLong(e.getValue());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }

        static History decode(byte[] b) {
            History h = new History();
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
                h.late = in.readLong();
                h.future = in.readLong();
                for (Map<String, Long> m : List.of(h.lastSeen, h.recent)) {
                    int n = in.readInt();
                    for (int i = 0; i < n; i++) {
                        m.put(in.readUTF(), in.readLong());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return h;
        }
    }
}
