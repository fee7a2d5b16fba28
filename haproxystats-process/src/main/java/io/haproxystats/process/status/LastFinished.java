package io.haproxystats.process.status;

import io.haproxystats.common.time.Clock;

/**
 * The last poll a part of the processor finished (delivered, quarantined or dropped) and when, and
 * when it last made any progress (a poll given back to be retried counts): the status file's
 * {@code last_finished} and the watchdog's stall rule. Thread-safe.
 */
public final class LastFinished {

    private final Clock clock;
    private volatile String name = "";
    private volatile long epoch;
    private volatile long progressNanos;

    public LastFinished(Clock clock) {
        this.clock = clock;
        this.progressNanos = clock.nanoTime();
    }

    /** A poll finished now. */
    public void finished(String poll) {
        name = poll;
        epoch = clock.epochSecond();
        progressNanos = clock.nanoTime();
    }

    /** Something moved without a poll finishing (one was given back to be retried). */
    public void progressed() {
        progressNanos = clock.nanoTime();
    }

    /** The last poll's name; empty before the first. */
    String name() {
        return name;
    }

    /** Wall-clock epoch seconds when {@link #name()} finished; 0 before the first. */
    long epoch() {
        return epoch;
    }

    /** {@link Clock#nanoTime()} of the last progress, or of the start. */
    long progressNanos() {
        return progressNanos;
    }
}
