package io.haproxystats.pull;

import io.haproxystats.common.status.StatusFile;
import io.haproxystats.common.systemd.SystemdNotifier;
import io.haproxystats.common.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Tells the outside world how polling goes: systemd's {@code STATUS=} line and the status file
 * that {@code check_haproxystats_pull} reads ({@code last_poll}, {@code last_result} ok / failed /
 * skipped, {@code last_success}: wall-clock epoch seconds of the last poll moved into dst-dir, 0
 * before the first; {@code pull_interval} in seconds).
 */
final class PullReporter {

    private final StatusFile status;
    private final SystemdNotifier notifier;
    private final Clock clock;
    private final Duration interval;
    private long lastSuccess;

    PullReporter(StatusFile status, SystemdNotifier notifier, Clock clock, Duration interval) {
        this.status = status;
        this.notifier = notifier;
        this.clock = clock;
        this.interval = interval;
    }

    void started() {
        write(0, "starting");
        notifier.ready("polling every " + seconds(interval) + " s, no poll yet");
    }

    void polled(Optional<PollResult> result) {
        long now = clock.epochSecond();
        if (result.isEmpty()) {
            write(now, "skipped");
            notifier.status("last poll skipped (queue full or no socket), see the log");
            return;
        }
        PollResult r = result.get();
        if (r.committed()) {
            lastSuccess = now;
        }
        write(r.epoch(), r.committed() ? "ok" : "failed");
        notifier.status(
                r.committed()
                        ? "last poll " + r.epoch() + ": " + r.succeeded() + "/" + r.requests() + " answers in "
                                + r.wallTime().toMillis() + " ms"
                        : "last poll " + r.epoch() + " failed: " + r.failures().size() + " of " + r.requests()
                                + " requests, see the log");
    }

    private void write(long lastPoll, String result) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("last_poll", lastPoll);
        values.put("last_result", result);
        values.put("last_success", lastSuccess);
        values.put("pull_interval", seconds(interval));
        status.write(clock.epochSecond(), values);
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? Long.toString(d.toSeconds()) : Double.toString(d.toMillis() / 1000.0);
    }
}
