package io.haproxystats.process.delivery;

import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.status.DeliveryStats;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A destination of metric lines. The contract that makes delivery crash-safe: the future returned
 * by {@link #submit} completes normally only once every line of the batch was handed on (for
 * Graphite: written and flushed to the socket without error), and the caller deletes the poll
 * directory only then. It completes exceptionally with {@link DroppedException} when the batch was
 * dropped under the documented overflow rule, or with another exception when it was not delivered
 * and the poll must stay on disk. Implementations are thread-safe.
 */
public interface Dispatcher {

    String name();

    /**
     * Admits a batch. May block while the dispatcher's bounded queue is full: that is the
     * backpressure that keeps workers from taking new directories.
     *
     * @throws InterruptedException when interrupted while waiting for room
     * @throws RejectedException    when stopping and the batch could not be admitted without waiting
     */
    CompletableFuture<Void> submit(MetricBatch batch) throws InterruptedException, RejectedException;

    /**
     * The word its self metrics start with ({@code Graphite}: {@code <prefix>.haproxystats.GraphiteQueuedLines},
     * {@code ...DroppedLines}, {@code ...Reconnects}); empty for a dispatcher without a queue, which sends none.
     */
    default String statsName() {
        return "";
    }

    /** Queue and connection figures for the self metrics; zeros for a dispatcher without a queue. */
    default DeliveryStats stats() {
        return DeliveryStats.NONE;
    }

    /**
     * Figures of its own sent with every poll's self metrics, name (after
     * {@code <prefix>.haproxystats.}) to value; none by default (the OpenMetrics endpoint's scrapes).
     */
    default java.util.Map<String, Number> selfMetrics() {
        return java.util.Map.of();
    }

    /** Stops admitting batches that would have to wait for room; admitted ones are still delivered. */
    default void stopWaiting() {}

    /**
     * Delivers what is queued for at most {@code drain}, then releases the connection. Batches
     * still queued then stay undelivered: their directories stay on disk for the next start.
     */
    default void close(Duration drain) throws InterruptedException {}

    /** The batch was dropped, oldest first, because every bound was exhausted. */
    final class DroppedException extends Exception {
        DroppedException(String message) {
            super(message);
        }
    }

    /** The dispatcher is stopping and did not take the batch. */
    final class RejectedException extends Exception {
        RejectedException(String message) {
            super(message);
        }
    }
}
