package io.haproxystats.common.config;

import java.time.Duration;

/** Seconds as written in the configuration (fractions allowed) to {@link Duration}. */
public final class Durations {

    private Durations() {}

    public static Duration ofSeconds(double seconds) {
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }

    /**
     * The longest duration any option accepts: one day. Beyond it no timeout or interval makes
     * sense, and bounding it here keeps every later conversion (to int milliseconds for a socket
     * timeout, to nanoseconds for a deadline) free of overflow.
     */
    public static final double MAX_SECONDS = 86_400;
}
