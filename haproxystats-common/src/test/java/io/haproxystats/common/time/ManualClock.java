package io.haproxystats.common.time;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A clock that moves only when told to, or by the amount a {@link #sleep} asks for: a test of a
 * schedule or a backoff runs in microseconds and reads back every wait ({@link #sleeps()}).
 */
public final class ManualClock implements Clock {

    private long nanos;
    private final long epochNanosAtZero;
    private final List<Duration> sleeps = new ArrayList<>();

    public ManualClock(Instant start) {
        this.epochNanosAtZero = start.getEpochSecond() * 1_000_000_000L + start.getNano();
    }

    @Override
    public synchronized long nanoTime() {
        return nanos;
    }

    @Override
    public synchronized Instant instant() {
        long at = epochNanosAtZero + nanos;
        return Instant.ofEpochSecond(Math.floorDiv(at, 1_000_000_000L), Math.floorMod(at, 1_000_000_000L));
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        synchronized (this) {
            sleeps.add(duration);
            if (duration.isPositive()) {
                nanos += duration.toNanos();
            }
        }
        Thread.yield();
    }

    public synchronized void advance(Duration duration) {
        nanos += duration.toNanos();
    }

    /** Every sleep asked for, in order. */
    public synchronized List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }
}
