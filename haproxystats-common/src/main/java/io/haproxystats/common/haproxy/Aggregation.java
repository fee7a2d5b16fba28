package io.haproxystats.common.haproxy;

/**
 * How a {@code show stat} field is combined over the rows of one group (the same proxy or server
 * in every HAProxy process, instance or worker), following the field's nature tag in
 * {@code show stat typed}.
 */
public enum Aggregation {
    /** Counters, gauges, rates, limits and maxima of counts: the site's total. */
    SUM,
    /** Averages and configured values (weight, check_rise): the mean over the rows. */
    MEAN,
    /** Response-time averages: the mean over the rows that served traffic (lbtot > 0) only. */
    TRAFFIC_MEAN,
    /** Maxima of durations (rtime_max): the largest; summing two maximal times means nothing. */
    MAX,
    /** Ages (seconds since the last session or state change): the most recent, the smallest. */
    MIN
}
