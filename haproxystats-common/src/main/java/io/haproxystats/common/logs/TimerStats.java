package io.haproxystats.common.logs;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import java.io.IOException;

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

    /**
     * The stats as bytes (count, aborted, sum and max as 8-byte big-endian longs, then the
     * sketch's own encoding, index mapping included): the form the cluster values record carries,
     * so that a cluster window merges sketches, not percentiles.
     */
    public byte[] encode() {
        GrowingByteArrayOutput out = GrowingByteArrayOutput.withInitialCapacity(64);
        try {
            for (long v : new long[] {count, aborted, sum, max}) {
                for (int shift = 56; shift >= 0; shift -= 8) {
                    out.writeByte((byte) (v >>> shift));
                }
            }
            sketch.encode(out, false);
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible); // an in-memory output does not fail
        }
        return out.trimmedCopy();
    }

    /**
     * Stats from {@link #encode()}'s bytes, checked as a {@code log_timers} line is (counts never
     * negative, the sketch of this version's mapping, bounded, holding {@code count} values).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static TimerStats decode(byte[] bytes) {
        if (bytes.length < 32) {
            throw new IllegalArgumentException("timer stats of " + bytes.length + " bytes, fewer than 32");
        }
        long[] v = new long[4];
        for (int i = 0; i < 4; i++) {
            for (int b = 0; b < 8; b++) {
                v[i] = (v[i] << 8) | (bytes[i * 8 + b] & 0xff);
            }
            if (v[i] < 0) {
                throw new IllegalArgumentException("a negative count, sum or maximum in timer stats");
            }
        }
        DDSketch sketch = LogTimersFile.checkedSketch(bytes, 32, bytes.length - 32, newSketch());
        if (sketch.getCount() != v[0]) {
            throw new IllegalArgumentException(
                    "the sketch holds " + (long) sketch.getCount() + " values, the count says " + v[0]);
        }
        return new TimerStats(sketch, v[0], v[1], v[2], v[3]);
    }
}
