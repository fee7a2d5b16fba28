package io.haproxystats.process.status;

/**
 * A dispatcher's state for the self metrics.
 *
 * @param queuedLines  lines admitted and not yet delivered
 * @param droppedLines lines dropped under overflow since start
 * @param reconnects   connections re-established after a loss since start
 */
public record DeliveryStats(long queuedLines, long droppedLines, long reconnects) {

    public static final DeliveryStats NONE = new DeliveryStats(0, 0, 0);
}
