package io.haproxystats.common.logs;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;

/**
 * One timer of one frontend, backend or server over a pull interval: a DDSketch of the set values
 * (relative error {@link #RELATIVE_ACCURACY}: a percentile read from it is within 1% of a value of
 * the right rank) and, exactly, how many requests set it ({@code count}), how many left it unset
 * ({@code aborted}, HAProxy's {@code -1}: counted apart, never in the distribution), their sum and
 * their maximum. Two merge exactly: the sketch's bins and the exact figures add (the maximum is
 * the larger). Not thread-safe: one owner at a time.
 */
public final class TimerStats {

    /** The sketch's relative accuracy (DDSketch's alpha); the mapping is part of every encoded sketch. */
    public static final double RELATIVE_ACCURACY = 0.01;

    private final DDSketch sketch;
    private long count;
    private long aborted;
    private long sum;
    private long max;

    public TimerStats() {
        this(newSketch(), 0, 0, 0, 0);
    }

    TimerStats(DDSketch sketch, long count, long aborted, long sum, long max) {
        this.sketch = sketch;
        this.count = count;
        this.aborted = aborted;
        this.sum = sum;
        this.max = max;
    }

    /**
     * The sketch every puller makes: DDSketch's default (cubically interpolated logarithmic
     * mapping, unbounded dense store) at 1%, the fastest to fill of those measured
     * (docs/benchmarks.md, "Request-log sketches").
     */
    public static DDSketch newSketch() {
        return DDSketches.unboundedDense(RELATIVE_ACCURACY);
    }

    /** Adds one request's value of this timer: {@code -1} (unset) is counted as aborted. */
    public void record(long millis) {
        if (millis < 0) {
            aborted++;
            return;
        }
        sketch.accept(millis);
        count++;
        sum += millis;
        if (millis > max) {
            max = millis;
        }
    }

    /** Adds {@code other} into this one, exactly. */
    public void merge(TimerStats other) {
        sketch.mergeWith(other.sketch);
        count += other.count;
        aborted += other.aborted;
        sum += other.sum;
        max = Math.max(max, other.max);
    }

    /** The value at quantile {@code q} (0 to 1) within the relative accuracy; 0 when nothing was set. */
    public double quantile(double q) {
        return count == 0 ? 0 : sketch.getValueAtQuantile(q);
    }

    public long count() {
        return count;
    }

    public long aborted() {
        return aborted;
    }

    public long sum() {
        return sum;
    }

    public long max() {
        return max;
    }

    DDSketch sketch() {
        return sketch;
    }
}
