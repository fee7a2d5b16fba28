package io.haproxystats.process.status;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * A processor's role as the daemon's life needs it (local, edge or central): where polls come
 * from and how they leave, what the status file reports, what the liveness check asks, and the
 * stop in order.
 */
public interface Intake {

    /** How long a clean stop waits for queued lines to be flushed; the rest stays on disk or in the topic. */
    Duration STOP_DRAIN = Duration.ofSeconds(10);

    /** For the log and systemd's status at start. */
    String description();

    Progress progress();

    Destination destination();

    /** Why the daemon can no longer work (a thread died, src-dir cannot be watched), or null. */
    String dead();

    /** Stops taking polls, lets those in hand finish within {@link #STOP_DRAIN}, releases connections. */
    void stop() throws InterruptedException, IOException;

    /** Polls computed (or forwarded) since start: a clean stop after some trains the AOT cache. */
    long computed();

    /** The role's parts with figures of their own in the status file (after the common ones); none by default. */
    default List<StatusValues> statusValues() {
        return List.of();
    }
}
