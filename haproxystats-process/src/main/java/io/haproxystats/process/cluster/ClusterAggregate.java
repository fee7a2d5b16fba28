package io.haproxystats.process.cluster;

import io.haproxystats.common.haproxy.Aggregation;
import io.haproxystats.common.haproxy.MetricCatalogue;
import io.haproxystats.common.logs.TimerStats;
import io.haproxystats.process.kafka.ClusterValues;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One cluster's values in one window (and its request-timer sketches, merged exactly: the
 * cluster's p99 is the p99 of all its load balancers' requests, not a sum or mean of their p99s), from the values of its load balancers (one poll each): per
 * path, combined across the load balancers by the field's nature. Counters, gauges and counts
 * (frontend, backend, server and daemon sums, {@code status.*}, {@code op_state.*},
 * {@code TotalServers}) are summed; response-time averages ({@code qtime}, {@code ctime},
 * {@code rtime}, {@code ttime}) the mean weighted by each load balancer's {@code rate} there;
 * other averages (weight, {@code Idle_pct},
 * {@code Uptime_sec}, CPU and percentages) are the mean over the load balancers that have the
 * path; maxima of durations ({@code rtime_max}) the largest; ages ({@code lastchg},
 * {@code lastsess}) the most recent, the smallest. Load balancers are folded in one at a time.
 * Pure; not thread-safe.
 */
final class ClusterAggregate {

    /** How a path's values are combined across load balancers; the nature of its last component. */
    static Aggregation nature(String path) {
        String field = path.substring(path.lastIndexOf('.') + 1);
        if (path.startsWith("daemon.")) {
            return MetricCatalogue.DAEMON_SUM.contains(field) ? Aggregation.SUM : Aggregation.MEAN;
        }
        return switch (MetricCatalogue.aggregation(field).orElse(Aggregation.SUM)) {
            case SUM -> Aggregation.SUM;
            case MEAN, TRAFFIC_MEAN -> Aggregation.MEAN;
            case MAX -> Aggregation.MAX;
            case MIN -> Aggregation.MIN;
        };
    }

    private static final Aggregation[] NATURES = Aggregation.values();
    /** 2: each value with its traffic-weighted sum, weight and timing flag; the request-timer stats after the values. */
    private static final int VERSION = 2;

    /**
     * The response-time averages ({@code qtime}, {@code ctime}, {@code rtime}, {@code ttime} of a
     * backend or server): HAProxy's mean over its last 1,024 requests, so the cluster's is the
     * mean of the load balancers' weighted by their traffic there: the {@code rate} (sessions per
     * second) of the same proxy or server in the same poll. When no load balancer has a rate above
     * 0 there, the plain mean.
     */
    static boolean timing(String path) {
        return !path.startsWith("daemon.")
                && MetricCatalogue.TIMING_MEAN.contains(path.substring(path.lastIndexOf('.') + 1));
    }

    /**
     * Per path: sum (or max, or min), the number of load balancers that have it, its nature's
     * ordinal, the traffic-weighted sum and the weights (response-time averages), 1 for a timing.
     */
    private final Map<String, double[]> acc = new HashMap<>();

    private int members;

    /** Per timer path: the load balancers' request-timer stats, merged (sketches add exactly). */
    private final Map<String, TimerStats> timers = new HashMap<>();

    ClusterAggregate() {}

    /** Path to the cluster's value over the given load balancers, in path order. */
    static SortedMap<String, Double> of(Collection<ClusterValues> loadBalancers) {
        ClusterAggregate a = new ClusterAggregate();
        loadBalancers.forEach(a::add);
        return a.result();
    }

    /** Folds one load balancer's values in (one at a time: a large poll's are megabytes each). */
    void add(ClusterValues lb) {
        members++;
        lb.timers().forEach((tail, bytes) -> {
            TimerStats stats;
            try {
                stats = TimerStats.decode(bytes);
            } catch (IllegalArgumentException e) {
                return; // written by a central processor from a checked log_timers: never seen
            }
            TimerStats had = timers.putIfAbsent(tail, stats);
            if (had != null) {
                had.merge(stats);
            }
        });
        Map<String, Double> rates = new HashMap<>();
        for (int i = 0; i < lb.paths().size(); i++) {
            String path = lb.paths().get(i);
            if (path.endsWith(".rate")) {
                rates.put(path.substring(0, path.length() - ".rate".length()), lb.values()[i]);
            }
        }
        for (int i = 0; i < lb.paths().size(); i++) {
            String path = lb.paths().get(i);
            double v = lb.values()[i];
            double[] a = acc.get(path);
            if (a == null) {
                a = new double[] {0, 0, nature(path).ordinal(), 0, 0, timing(path) ? 1 : 0};
                a[0] = v;
                a[1] = 1;
                acc.put(path, a);
            } else {
                a[0] = switch (NATURES[(int) a[2]]) {
                    case MAX -> Math.max(a[0], v);
                    case MIN -> Math.min(a[0], v);
                    default -> a[0] + v;
                };
                a[1]++;
            }
            if (a[5] == 1) {
                // A response-time average: weighted by this load balancer's traffic there.
                double w = Math.max(0, rates.getOrDefault(path.substring(0, path.lastIndexOf('.')), 0.0));
                a[3] += v * w;
                a[4] += w;
            }
        }
    }

    /** Load balancers folded in. */
    int members() {
        return members;
    }

    /** Timer path ({@code backend.be.timers.Tr}) to the cluster's merged stats, in path order. */
    SortedMap<String, TimerStats> timers() {
        return new TreeMap<>(timers);
    }

    /**
     * The running aggregate as bytes (paths, folded values, counts, natures; no load balancer's
     * values): what a closed window keeps so that a late load balancer can still be folded in.
     */
    byte[] encode() {
        return StoreCodec.encode(VERSION, out -> {
            out.writeInt(members);
            out.writeInt(acc.size());
            for (Map.Entry<String, double[]> e : acc.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeDouble(e.getValue()[0]);
                out.writeInt((int) e.getValue()[1]);
                out.writeByte((int) e.getValue()[2]);
                out.writeDouble(e.getValue()[3]);
                out.writeDouble(e.getValue()[4]);
                out.writeByte((int) e.getValue()[5]);
            }
            out.writeInt(timers.size());
            for (Map.Entry<String, TimerStats> t : timers.entrySet()) {
                byte[] stats = t.getValue().encode();
                out.writeUTF(t.getKey());
                out.writeInt(stats.length);
                out.write(stats);
            }
        });
    }

    /** The aggregate {@link #encode} wrote. */
    static ClusterAggregate decode(byte[] b) {
        return StoreCodec.decode(b, VERSION, "cluster aggregate", in -> {
            ClusterAggregate a = new ClusterAggregate();
            a.members = in.readInt();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                String path = in.readUTF();
                double v = in.readDouble();
                int count = in.readInt();
                int nature = in.readByte();
                double weighted = in.readDouble();
                double weights = in.readDouble();
                int timing = in.readByte();
                a.acc.put(path, new double[] {v, count, nature, weighted, weights, timing});
            }
            int timers = in.readInt();
            for (int i = 0; i < timers; i++) {
                String tail = in.readUTF();
                byte[] stats = new byte[in.readInt()];
                in.readFully(stats);
                a.timers.put(tail, TimerStats.decode(stats));
            }
            return a;
        });
    }

    /** Path to the cluster's value, in path order. */
    SortedMap<String, Double> result() {
        SortedMap<String, Double> out = new TreeMap<>();
        acc.forEach((path, a) -> {
            if (a[5] == 1 && a[4] > 0) {
                out.put(path, a[3] / a[4]); // traffic-weighted
            } else {
                out.put(path, NATURES[(int) a[2]] == Aggregation.MEAN ? a[0] / a[1] : a[0]);
            }
        });
        return out;
    }
}
