package io.haproxystats.process.status;

import io.haproxystats.common.status.StatusFile;
import io.haproxystats.common.systemd.SystemdNotifier;
import io.haproxystats.common.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the outside world how processing goes, every few seconds: the status file that
 * {@code check_haproxystats_process} reads, systemd's {@code STATUS=} line, and {@code WATCHDOG=1}
 * only while healthy: every worker and the sender alive, and the queue moving. "Moving" allows a
 * Graphite outage (restarting cannot fix that, and the polls are safe on disk): the daemon is
 * stuck only when polls wait, Graphite is reachable, and nothing finished for {@link #STALL}. A
 * Graphite peer that keeps writing back is reported ({@code graphite=reachable-peer-sends-data}, a
 * WARNING for the nagios check) but does not withhold the watchdog: a restart cannot fix the peer.
 */
public final class ProcessReporter {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessReporter.class);
    static final Duration STALL = Duration.ofMinutes(2);

    private final StatusFile status;
    private final SystemdNotifier notifier;
    private final Progress workers;
    private final Destination graphite;
    private final Clock clock;
    private final List<StatusValues> more;
    private boolean unhealthyLogged;

    public ProcessReporter(
            StatusFile status, SystemdNotifier notifier, Progress workers, Destination graphite, Clock clock) {
        this(status, notifier, workers, graphite, clock, List.of());
    }

    /** @param more parts with figures of their own in the status file (written after the others) */
    public ProcessReporter(
            StatusFile status,
            SystemdNotifier notifier,
            Progress workers,
            Destination graphite,
            Clock clock,
            List<StatusValues> more) {
        this.more = List.copyOf(more);
        this.clock = clock;
        this.status = status;
        this.notifier = notifier;
        this.workers = workers;
        this.graphite = graphite;
    }

    /** Called on a timer: status file, STATUS= and, when healthy and asked for, WATCHDOG=1. */
    public synchronized void report(boolean sendWatchdog) {
        long incoming = incoming();
        DeliveryStats stats = graphite.stats();
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("last_finished", workers.last().name());
        values.put("last_finished_at", workers.last().epoch());
        values.put("incoming", incoming);
        values.put(
                graphite.statusKey(),
                !graphite.reachable()
                        ? "unreachable"
                        : graphite.peerWarning().isEmpty() ? "reachable" : "reachable-" + graphite.peerWarning());
        workers.sourceReachable().ifPresent(r -> values.put("kafka", r ? "reachable" : "unreachable")); // central
        values.put("queued_lines", stats.queuedLines());
        values.put("dropped_lines", stats.droppedLines());
        values.put("healthy", healthy(incoming));
        more.forEach(m -> m.addTo(values));
        status.write(clock.epochSecond(), values);
        notifier.status(incoming + " polls waiting, last done "
                + (workers.last().name().isEmpty() ? "none yet" : workers.last().name()) + ", "
                + label(graphite.statusKey()) + " "
                + (graphite.reachable() ? "reachable" : "UNREACHABLE")
                + ", " + stats.queuedLines() + " lines queued, " + stats.droppedLines() + " dropped");
        if (sendWatchdog) {
            if (healthy(incoming)) {
                notifier.watchdog();
                unhealthyLogged = false;
            } else if (!unhealthyLogged) {
                unhealthyLogged = true;
                LOG.error(
                        "unhealthy (a worker or the sender died, or polls wait while Graphite is reachable and "
                                + "nothing finished for {} s); withholding the watchdog",
                        STALL.toSeconds());
            }
        }
    }

    /** {@code graphite} as {@code Graphite}, for the systemd status line. */
    private static String label(String key) {
        return key.isEmpty() ? key : Character.toUpperCase(key.charAt(0)) + key.substring(1);
    }

    boolean healthy(long incoming) {
        boolean stalled = incoming > 0
                && graphite.reachable()
                && workers.sourceReachable().orElse(true) // a Kafka outage is no reason to restart either
                && clock.nanosSince(workers.last().progressNanos()) > STALL.toNanos();
        return workers.allAlive() && graphite.senderAlive() && !stalled;
    }

    private long incoming() {
        return workers.waiting();
    }
}
