package io.haproxystats.process.cluster;

import com.github.luben.zstd.Zstd;
import io.haproxystats.common.config.ClusterSettings;
import io.haproxystats.common.config.LogsSettings;
import io.haproxystats.common.logs.TimerStats;
import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.compute.TimerLines;
import io.haproxystats.process.kafka.ClusterValues;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
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
 * into tumbling windows aligned to the epoch on event time (the poll's epoch).
 *
 * <p><b>Closing on per-load-balancer progress.</b> Each cluster keeps, per load balancer, the latest
 * poll epoch it reported and when (this machine's clock) it last reported. The cluster's
 * watermark is the smallest latest epoch over its <i>active</i> load balancers (those that
 * reported within {@code [cluster] idle} of the cluster's last poll); a window closes once the
 * watermark reaches its end plus {@code grace}. One load balancer that delivers faster (a backlog
 * after an outage, a clock ahead) therefore closes no one else's windows, and a cluster's windows
 * never depend on another cluster's polls; a load balancer that stops delays its cluster's windows
 * by {@code idle} at most. A silence of the whole cluster is this side's (a broker outage, the task
 * moving to another processor): it makes no load balancer idle, but once it lasts {@code idle} (a
 * wall-clock punctuation re-checks every cluster), the cluster's windows close up to the latest
 * poll it has.
 *
 * <p><b>Revised windows.</b> A closed window keeps, for {@code allowed-lateness} of the cluster's
 * event time, its running aggregate and its members (not the load balancers' values). A poll of a
 * load balancer missing from it folds into it and the window's lines are written again with the
 * same timestamps (Graphite keeps the last value written: the store converges), with the record
 * header {@value #REVISION_HEADER} = the revision's number; {@code RevisedWindows} counts them in
 * the cluster's next lines. A poll of a load balancer already in the closed window, or beyond the
 * lateness, is counted in {@code LatePolls} only.
 *
 * <p>Each window's lines: every path combined across its members ({@link ClusterAggregate}), and
 * {@code haproxystats.Members}, {@code .Expected} (load balancers that reported a poll dated
 * within {@code expected-windows} windows of the window's start, or reported anything within that
 * much time of the cluster's last poll: a load balancer whose polls are delayed stays expected,
 * one gone for good leaves), {@code .LatePolls}, {@code .FuturePolls} (refused: dated ahead of this
 * machine's clock by more than a minute, or a window and the grace) and {@code .RevisedWindows}.
 *
 * <p>A load balancer with two polls in one open window counts once: the later poll's values
 * replace the earlier's. Everything is kept in one changelogged store, so a restart or a rebalance
 * resumes where the last committed transaction left it (exactly-once: the store, the lines and the
 * offsets commit together).
 */
final class ClusterWindows implements Processor<String, byte[], String, String> {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterWindows.class);

    static final String STORE = "cluster-windows";
    /** Lines forwarded per record, at most about this many bytes (the topic's default limit is 1 MB). */
    static final int CHUNK = 256 << 10;
    /** On a revised window's records: its revision number (1, 2, ...); absent on a first closing. */
    static final String REVISION_HEADER = "haproxystats-revision";

    private static final byte[] EMPTY = new byte[0];
    private static final StringSerializer KEYS = new StringSerializer();

    private final long window;
    private final long grace;
    private final long idle;
    private final long lateness;
    private final long expectedSpan;
    private final long future;
    private final String base;
    private final ClusterStatus status;
    private final List<LogsSettings.Percentile> percentiles;
    private KeyValueStore<String, byte[]> store;
    private ProcessorContext<String, String> context;
    /** Records of the values topic refused by {@link ClusterValues#decode} or {@link ClusterValues#checkCluster}. */
    private long refusedRecords;

    /**
     * @param namespace {@code [graphite] namespace}: lines are {@code <namespace>.cluster.<cluster>.<path>}
     * @param status    where this processor says how its windows are doing (the status file)
     */
    ClusterWindows(ClusterSettings settings, String namespace, ClusterStatus status) {
        this(settings, namespace, status, LogsSettings.percentiles(LogsSettings.DEFAULT_PERCENTILES));
    }

    /** @param percentiles {@code [logs] percentiles}: what a window writes from its merged request-timer sketches */
    ClusterWindows(
            ClusterSettings settings,
            String namespace,
            ClusterStatus status,
            List<LogsSettings.Percentile> percentiles) {
        this.percentiles = List.copyOf(percentiles);
        this.window = settings.window().toMillis();
        this.grace = settings.grace().toMillis();
        this.idle = settings.idle().toMillis();
        this.lateness = settings.allowedLateness().toMillis();
        this.expectedSpan = (settings.expectedWindows() - 1) * window;
        this.future = Math.max(60_000, window + grace);
        this.base = namespace + ".cluster.";
        this.status = status;
    }

    @Override
    public void init(ProcessorContext<String, String> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        long every = Math.clamp(Math.min(window, idle) / 2, 500, 5_000);
        context.schedule(Duration.ofMillis(every), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
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
        long now = context.currentSystemTimeMs();
        ClusterState state = state(cluster);
        String lb = values.loadBalancer();
        long t = values.epochSeconds() * 1000;
        String id = id(lb, values.epochSeconds());
        if (state.recent.containsKey(id)) {
            return; // the same poll again (published twice, at-least-once): counted already
        }
        if (t > now + future) {
            state.recent.put(id, t);
            state.future++;
            save(cluster, state);
            LOG.warn(
                    "cluster {}: poll {} of {} is {} s ahead of this machine's clock: left out (FuturePolls)",
                    cluster,
                    values.epochSeconds(),
                    lb,
                    (t - now) / 1000);
            return;
        }
        state.reported(lb, t, now, idle);
        long start = Math.floorDiv(t, window) * window;
        byte[] closed = store.get(closedKey(cluster, start));
        if (closed != null) {
            revise(cluster, start, ClosedWindow.decode(closed), values, state);
        } else if (store.get(openKey(cluster, start)) == null && start + window + grace + lateness <= state.frontier) {
            late(cluster, start, values, state, "beyond [cluster] allowed-lateness");
        } else {
            String key = windowKey(cluster, start) + "/" + lb;
            byte[] kept = store.get(key);
            if (kept == null || ByteBuffer.wrap(kept).getLong() <= values.epochSeconds()) {
                store.put(key, stored(values.epochSeconds(), record.value()));
            }
            store.put(openKey(cluster, start), EMPTY);
        }
        closeDue(cluster, state, now);
        save(cluster, state);
    }

    /** Every cluster's due windows, on this machine's clock: how an idle load balancer stops holding them. */
    private void punctuate(long now) {
        List<String> clusters = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.prefixScan("s/", KEYS)) {
            while (it.hasNext()) {
                clusters.add(it.next().key.substring(2));
            }
        }
        int open = 0;
        long oldest = Long.MAX_VALUE;
        for (String cluster : clusters) {
            ClusterState state = state(cluster);
            closeDue(cluster, state, now);
            save(cluster, state);
        }
        try (KeyValueIterator<String, byte[]> it = store.prefixScan("o/", KEYS)) {
            while (it.hasNext()) {
                String key = it.next().key;
                open++;
                oldest = Math.min(oldest, Long.parseLong(key.substring(key.lastIndexOf('/') + 1)));
            }
        }
        status.openWindows(context.taskId().toString(), open, oldest == Long.MAX_VALUE ? 0 : oldest);
    }

    /**
     * The cluster's watermark: the smallest latest poll epoch over its active load balancers (those
     * that reported within {@code idle} of the cluster's last poll); when the whole cluster has
     * been silent for {@code idle} at {@code now}, the latest epoch of any (everything it has may
     * close: a late load balancer then revises); {@link Long#MIN_VALUE} when it has none.
     */
    long watermark(ClusterState state, long now) {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        boolean silent = now - state.lastArrival > idle;
        for (long[] p : state.loadBalancers.values()) {
            max = Math.max(max, p[0]);
            if (!silent && state.active(p, idle)) {
                min = Math.min(min, p[0]);
            }
        }
        return min != Long.MAX_VALUE ? min : max;
    }

    /** Closes, in order, the cluster's open windows its watermark passed by the grace; forgets what is past the lateness. */
    private void closeDue(String cluster, ClusterState state, long now) {
        long watermark = watermark(state, now);
        if (watermark == Long.MIN_VALUE) {
            return;
        }
        state.frontier = Math.max(state.frontier, watermark);
        List<Long> due = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> open = store.prefixScan("o/" + cluster + "/", KEYS)) {
            while (open.hasNext()) {
                String key = open.next().key;
                long start = Long.parseLong(key.substring(key.lastIndexOf('/') + 1));
                if (start + window + grace <= watermark) {
                    due.add(start);
                }
            }
        }
        for (long start : due) {
            close(cluster, start, state);
            store.delete(openKey(cluster, start));
        }
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.prefixScan("c/" + cluster + "/", KEYS)) {
            while (it.hasNext()) {
                String key = it.next().key;
                long start = Long.parseLong(key.substring(key.lastIndexOf('/') + 1));
                if (start + window + grace + lateness <= state.frontier) {
                    expired.add(key);
                }
            }
        }
        expired.forEach(store::delete);
        // A counted or refused poll is remembered as long as a copy of it could still arrive; a load
        // balancer as long as it can count in Expected.
        long forget = state.frontier - lateness - expectedSpan - window - grace;
        state.recent.values().removeIf(epoch -> epoch < forget);
        state.loadBalancers.values().removeIf(p -> p[0] < forget && p[1] < state.lastArrival - expectedSpan - idle);
    }

    private void close(String cluster, long start, ClusterState state) {
        ClusterAggregate aggregate = new ClusterAggregate();
        ClosedWindow closed = new ClosedWindow();
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(windowKey(cluster, start) + "/", KEYS)) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                keys.add(kv.key);
                ClusterValues member = ClusterValues.decode(unstored(kv.value));
                aggregate.add(member);
                closed.members.put(member.loadBalancer(), member.epochSeconds());
                state.recent.put(id(member.loadBalancer(), member.epochSeconds()), member.epochSeconds() * 1000);
            }
        }
        keys.forEach(store::delete);
        closed.expected.addAll(closed.members.keySet());
        state.loadBalancers.forEach((lb, p) -> {
            if (p[0] >= start - expectedSpan || p[1] >= state.lastArrival - expectedSpan) {
                closed.expected.add(lb);
            }
        });
        closed.late = state.late;
        closed.future = state.future;
        closed.revisions = state.revised;
        emit(cluster, start, aggregate, closed, 0);
        LOG.info(
                "cluster {}: window {} closed: {} of {} expected load balancers",
                cluster,
                start / 1000,
                aggregate.members(),
                closed.expected.size());
        state.late = 0;
        state.future = 0;
        state.revised = 0;
        if (lateness > 0) {
            closed.aggregate = aggregate.encode();
            store.put(closedKey(cluster, start), closed.encode());
        }
    }

    /** A poll for a closed window: folded in when its load balancer is missing from it, else late. */
    private void revise(String cluster, long start, ClosedWindow closed, ClusterValues values, ClusterState state) {
        String lb = values.loadBalancer();
        if (closed.members.containsKey(lb)) {
            late(cluster, start, values, state, "its load balancer is in the closed window already");
            return;
        }
        ClusterAggregate aggregate = ClusterAggregate.decode(closed.aggregate);
        aggregate.add(values);
        closed.members.put(lb, values.epochSeconds());
        closed.expected.add(lb);
        closed.revision++;
        closed.aggregate = aggregate.encode();
        store.put(closedKey(cluster, start), closed.encode());
        state.recent.put(id(lb, values.epochSeconds()), values.epochSeconds() * 1000);
        state.revised++;
        status.counted(1, 0);
        emit(cluster, start, aggregate, closed, closed.revision);
        LOG.info(
                "cluster {}: window {} revised ({}): {} arrived late, {} of {} expected load balancers",
                cluster,
                start / 1000,
                closed.revision,
                lb,
                aggregate.members(),
                closed.expected.size());
    }

    private void late(String cluster, long start, ClusterValues values, ClusterState state, String why) {
        state.recent.put(id(values.loadBalancer(), values.epochSeconds()), values.epochSeconds() * 1000);
        state.late++;
        status.counted(0, 1);
        LOG.warn(
                "cluster {}: poll {} of {} arrived after its window [{}, {}) closed, {}: left out (LatePolls)",
                cluster,
                values.epochSeconds(),
                values.loadBalancer(),
                start / 1000,
                (start + window) / 1000,
                why);
    }

    /** The window's lines, in records of at most about {@link #CHUNK} bytes, timestamped with its start. */
    private void emit(String cluster, long start, ClusterAggregate aggregate, ClosedWindow closed, int revision) {
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
                forward(cluster, lines, start, revision);
            }
        }
        for (Map.Entry<String, TimerStats> t : aggregate.timers().entrySet()) {
            String timerBase = prefix + t.getKey() + ".";
            TimerLines.lines(t.getValue(), percentiles, (name, value) -> lines.append(timerBase)
                    .append(name)
                    .append(' ')
                    .append(
                            value instanceof Long exact
                                    ? exact.toString()
                                    : MetricBatch.formatNumber(value.doubleValue()))
                    .append(ts));
            if (lines.length() >= CHUNK) {
                forward(cluster, lines, start, revision);
            }
        }
        String self = prefix + "haproxystats.";
        lines.append(self).append("Members ").append(aggregate.members()).append(ts);
        lines.append(self).append("Expected ").append(closed.expected.size()).append(ts);
        lines.append(self).append("LatePolls ").append(closed.late).append(ts);
        lines.append(self).append("FuturePolls ").append(closed.future).append(ts);
        lines.append(self).append("RevisedWindows ").append(closed.revisions).append(ts);
        forward(cluster, lines, start, revision);
    }

    private void forward(String cluster, StringBuilder lines, long start, int revision) {
        RecordHeaders headers = new RecordHeaders();
        if (revision > 0) {
            headers.add(REVISION_HEADER, Integer.toString(revision).getBytes(StandardCharsets.US_ASCII));
        }
        context.forward(new Record<>(cluster, lines.toString(), start, headers));
        lines.setLength(0);
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

    private static String id(String loadBalancer, long epochSeconds) {
        return loadBalancer + " " + epochSeconds;
    }

    /** {@code v/<cluster>/<start, 13 digits>}: the prefix of an open window's values (ordered by start). */
    private static String windowKey(String cluster, long start) {
        return "v/" + cluster + "/" + digits(start);
    }

    /** {@code o/<cluster>/<start>}: an open window. */
    private static String openKey(String cluster, long start) {
        return "o/" + cluster + "/" + digits(start);
    }

    /** {@code c/<cluster>/<start>}: a closed window that may still be revised. */
    private static String closedKey(String cluster, long start) {
        return "c/" + cluster + "/" + digits(start);
    }

    private static String digits(long start) {
        return String.format(java.util.Locale.ROOT, "%013d", start);
    }

    private ClusterState state(String cluster) {
        byte[] b = store.get("s/" + cluster);
        return b == null ? new ClusterState() : ClusterState.decode(b);
    }

    private void save(String cluster, ClusterState state) {
        store.put("s/" + cluster, state.encode());
    }

    /** The bytes a closed window of these members keeps (for the sizing in docs/kafka.md). */
    static int closedBytes(List<ClusterValues> members) {
        ClusterAggregate aggregate = new ClusterAggregate();
        ClosedWindow closed = new ClosedWindow();
        for (ClusterValues v : members) {
            aggregate.add(v);
            closed.members.put(v.loadBalancer(), v.epochSeconds());
            closed.expected.add(v.loadBalancer());
        }
        closed.aggregate = aggregate.encode();
        return closed.encode().length;
    }
}
