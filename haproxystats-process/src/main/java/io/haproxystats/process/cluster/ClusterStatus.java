package io.haproxystats.process.cluster;

import io.haproxystats.common.time.Clock;
import io.haproxystats.process.status.StatusValues;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How this processor's cluster windows are doing, for its status file: written by the windows'
 * processors (Kafka Streams threads, one per task), read by the status reporter. Counts since the
 * processor started.
 */
public final class ClusterStatus implements StatusValues {

    private record Open(int windows, long oldestStartMs) {}

    private final Map<String, Open> openByTask = new ConcurrentHashMap<>();
    private final AtomicLong revised = new AtomicLong();
    private final AtomicLong late = new AtomicLong();
    private final Clock clock;

    /** @param clock the wall clock the oldest open window's age is measured on */
    public ClusterStatus(Clock clock) {
        this.clock = clock;
    }

    /** A task's open windows, as of its last punctuation (the oldest's start, ms; 0 when none). */
    void openWindows(String task, int windows, long oldestStartMs) {
        openByTask.put(task, new Open(windows, oldestStartMs));
    }

    void counted(long revisions, long latePolls) {
        revised.addAndGet(revisions);
        late.addAndGet(latePolls);
    }

    /**
     * {@code cluster_open_windows}, {@code cluster_oldest_open_window_age} (seconds of event time
     * before {@code nowMs}; 0 when none is open), {@code cluster_revised_windows},
     * {@code cluster_late_polls}.
     */
    @Override
    public void addTo(Map<String, Object> values) {
        values.putAll(fields(clock.instant().toEpochMilli()));
    }

    Map<String, Object> fields(long nowMs) {
        int open = 0;
        long oldest = Long.MAX_VALUE;
        for (Open o : openByTask.values()) {
            open += o.windows();
            if (o.windows() > 0) {
                oldest = Math.min(oldest, o.oldestStartMs());
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cluster_open_windows", open);
        out.put("cluster_oldest_open_window_age", oldest == Long.MAX_VALUE ? 0 : Math.max(0, (nowMs - oldest) / 1000));
        out.put("cluster_revised_windows", revised.get());
        out.put("cluster_late_polls", late.get());
        return out;
    }
}
