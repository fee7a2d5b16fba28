package io.haproxystats.pull.logs;

import io.haproxystats.common.haproxy.Excerpt;
import io.haproxystats.common.time.Clock;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says why a line was not read, at most once a minute per socket: the first bad line of the
 * minute with its reason and how many were not read since the last message. Every one is still
 * counted ({@code LogLinesUnparsed}); the log only shows what they look like.
 */
final class BadLineLog {

    private static final Logger LOG = LoggerFactory.getLogger(BadLineLog.class);
    static final long EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final String socket;
    private final Clock clock;
    private long lastNanos;
    private boolean said;
    private long since;

    BadLineLog(String socket, Clock clock) {
        this.socket = socket;
        this.clock = clock;
    }

    /** One more line not read; logged when the last message is a minute old (or there was none). */
    void unparsed(String reason, byte[] b, int length) {
        since++;
        long now = clock.nanoTime();
        if (said && now - lastNanos < EVERY_NANOS) {
            return;
        }
        String text = new String(b, 0, Math.min(length, 200), StandardCharsets.UTF_8); // non-UTF-8 bytes as U+FFFD
        LOG.warn(
                "[logs] {}: a line not read ({}); {} not read since the last such message: '{}'",
                socket,
                reason,
                since,
                Excerpt.of(text));
        said = true;
        lastNanos = now;
        since = 0;
    }
}
