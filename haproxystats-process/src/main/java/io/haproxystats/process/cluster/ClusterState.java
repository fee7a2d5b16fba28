package io.haproxystats.process.cluster;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a cluster's windows are decided on, kept in the store ({@code s/<cluster>}): per load
 * balancer its latest poll epoch and when it last reported (this machine's clock, ms), and when
 * the cluster last received anything; the polls
 * recently counted or refused ({@code lb epoch} to epoch ms), so that a copy of one (published
 * twice, at-least-once) is neither counted again nor late; the refusals and revisions since the
 * cluster's last lines; and the frontier, the highest watermark reached (the lateness is measured
 * from it).
 */
final class ClusterState {

    private static final int VERSION = 1;

    /** Load balancer to {latest poll epoch ms, last reported at ms}. */
    final Map<String, long[]> loadBalancers = new TreeMap<>();

    final Map<String, Long> recent = new TreeMap<>();
    long late;
    long future;
    long revised;
    long frontier = Long.MIN_VALUE;
    /** When the cluster last received a poll (this machine's clock, ms). */
    long lastArrival = Long.MIN_VALUE;

    /**
     * A poll of {@code lb} dated {@code epochMs}, arrived at {@code now}. After a silence of the
     * whole cluster longer than {@code idle} (a broker outage, a task moving to another processor:
     * the silence is this side's, not the load balancers'), every load balancer's last report is
     * moved forward by the silence, so the first one to report again does not find the others idle.
     */
    void reported(String lb, long epochMs, long now, long idle) {
        if (lastArrival != Long.MIN_VALUE && now - lastArrival > idle) {
            long silence = now - lastArrival;
            loadBalancers.values().forEach(p -> p[1] += silence);
        }
        long[] p = loadBalancers.computeIfAbsent(lb, k -> new long[] {Long.MIN_VALUE, Long.MIN_VALUE});
        p[0] = Math.max(p[0], epochMs);
        p[1] = Math.max(p[1], now);
        lastArrival = Math.max(lastArrival, now);
    }

    /** Whether {@code lb} (its progress) still holds the cluster's windows: it reported within {@code idle} of the cluster's last poll. */
    boolean active(long[] progress, long idle) {
        return progress[1] >= lastArrival - idle;
    }

    byte[] encode() {
        return StoreCodec.encode(VERSION, out -> {
            out.writeLong(late);
            out.writeLong(future);
            out.writeLong(revised);
            out.writeLong(frontier);
            out.writeLong(lastArrival);
            out.writeInt(loadBalancers.size());
            for (Map.Entry<String, long[]> e : loadBalancers.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeLong(e.getValue()[0]);
                out.writeLong(e.getValue()[1]);
            }
            StoreCodec.writeLongs(out, recent);
        });
    }

    static ClusterState decode(byte[] b) {
        return StoreCodec.decode(b, VERSION, "cluster state", in -> {
            ClusterState s = new ClusterState();
            s.late = in.readLong();
            s.future = in.readLong();
            s.revised = in.readLong();
            s.frontier = in.readLong();
            s.lastArrival = in.readLong();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                s.loadBalancers.put(in.readUTF(), new long[] {in.readLong(), in.readLong()});
            }
            StoreCodec.readLongs(in, s.recent);
            return s;
        });
    }
}
