package io.haproxystats.common.time;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;

/**
 * The one source of time the daemons use, injected into every scheduler, deadline, backoff and
 * status age so that tests can drive them in milliseconds. Two readings: {@link #nanoTime()} is
 * monotonic and measures intervals and deadlines; {@link #instant()} is the wall clock and names
 * polls and status timestamps. {@link #sleep} waits on the same clock. Implementations are
 * thread-safe.
 */
public interface Clock extends InstantSource {

    /** Monotonic nanoseconds, comparable only with other readings of this clock. */
    long nanoTime();

    /** Waits for {@code duration} on this clock (returns at once for zero or less). */
    void sleep(Duration duration) throws InterruptedException;

    /** Wall-clock whole seconds since the epoch. */
    default long epochSecond() {
        return instant().getEpochSecond();
    }

    /** Nanoseconds from {@code startNanos} (a {@link #nanoTime()} reading) to now. */
    default long nanosSince(long startNanos) {
        return nanoTime() - startNanos;
    }

    /** The machine's clocks: {@link System#nanoTime()}, {@link Instant#now()}, {@link Thread#sleep}. */
    static Clock system() {
        return SystemClock.INSTANCE;
    }

    /** The system implementation; an enum so there is exactly one. */
    enum SystemClock implements Clock {
        INSTANCE;

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Instant instant() {
            return Instant.now();
        }

        @Override
        public void sleep(Duration duration) throws InterruptedException {
            if (!duration.isNegative() && !duration.isZero()) {
                TimeUnit.NANOSECONDS.sleep(duration.toNanos());
            }
        }
    }
}
