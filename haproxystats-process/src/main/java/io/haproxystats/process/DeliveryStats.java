package io.haproxystats.process;

/**
 * A dispatcher's state for the self metrics.
 *
 * @param queuedLines  lines admitted and not yet delivered
 * @param droppedLines lines dropped under overflow since start
 * @param reconnects   connections re-established after a loss since start
 */
record DeliveryStats(long queuedLines, long droppedLines, long reconnects) {

    static final DeliveryStats NONE = new DeliveryStats(0, 0, 0);
}
