package io.haproxystats.common.time;

import java.time.Duration;
import java.time.Instant;

/**
 * Real monotonic time and real sleeps (for tests against real sockets, whose deadlines must be
 * real), with a wall clock that reads {@code start}, then moves by {@code step} at every read:
 * a distinct poll name for each poll, however fast they run back to back.
 */
public final class SteppingWallClock implements Clock {

    private final Instant start;
    private final Duration step;
    private long reads;

    public SteppingWallClock(Instant start, Duration step) {
        this.start = start;
        this.step = step;
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public synchronized Instant instant() {
        return start.plus(step.multipliedBy(reads++));
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        Clock.system().sleep(duration);
    }
}
