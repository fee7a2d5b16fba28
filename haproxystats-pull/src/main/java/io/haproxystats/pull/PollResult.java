package io.haproxystats.pull;

import java.time.Duration;
import java.util.List;

/**
 * How one poll ended.
 *
 * @param epoch     the poll's directory name
 * @param requests  requests started (sockets x commands)
 * @param succeeded requests whose answer was complete
 * @param failures  one message per failed or unfinished request
 * @param committed true when the directory was renamed into dst-dir
 * @param deadSockets sockets left out because nothing listened there ({@code skip-dead-sockets});
 *                  their requests are not counted in {@code requests}
 */
record PollResult(
        long epoch,
        int requests,
        int succeeded,
        List<String> failures,
        boolean committed,
        Duration wallTime,
        int deadSockets) {

    PollResult(long epoch, int requests, int succeeded, List<String> failures, boolean committed, Duration wallTime) {
        this(epoch, requests, succeeded, failures, committed, wallTime, 0);
    }

    /**
     * Requests neither answered nor failed: 0 unless the poll failed unexpectedly half way. A
     * failure that is no request of {@code requests} (a master's {@code show proc}, the rename into
     * dst-dir) is in {@code failures} too, so the difference is never taken below 0.
     */
    int pending() {
        return Math.max(0, requests - succeeded - failures.size());
    }
}
