/**
 * Cluster aggregation on Kafka Streams: the load balancers of a cluster combined in event-time
 * windows.
 *
 * <pre>
 * values topic ─→ ClusterAggregation (exactly_once_v2) ─→ ClusterWindows (one processor,
 *   in-memory changelogged store) ─→ ClusterAggregate (combination by nature, pure)
 *   ─→ lines topic ─→ (central) KafkaPollSource + ClusterLinesHandler ─→ delivery.FanOut
 * Both topics are input: kafka.ClusterValues.decode checks a values record before the window
 * sees it; ClusterLinesCheck checks every line (and the key) before a dispatcher does, refused
 * records to spool.Quarantine.
 * </pre>
 */
package io.haproxystats.process.cluster;
