package io.haproxystats.common.config;

import java.time.Duration;

/**
 * How to (re)connect to a peer: each try may take {@code timeout}; after a failure wait
 * {@code interval} (times {@code backoff} to the power of the failures so far) and try again,
 * {@code retries} more times ({@code -1}: forever; {@code 0}: one try only).
 */
public record Connect(int retries, Duration timeout, Duration interval, double backoff) {

    public boolean retriesForever() {
        return retries < 0;
    }

    /** Total tries allowed, or {@link Integer#MAX_VALUE} for "forever". */
    public int tries() {
        return retries < 0 ? Integer.MAX_VALUE : retries + 1;
    }

    /** The wait before try number {@code k + 1} after {@code k} failures (k >= 1). */
    public Duration waitAfterFailure(int failures) {
        double seconds = interval.toNanos() / 1e9 * Math.pow(backoff, Math.max(0, failures - 1));
        return Durations.ofSeconds(Math.min(seconds, 3600));
    }
}
