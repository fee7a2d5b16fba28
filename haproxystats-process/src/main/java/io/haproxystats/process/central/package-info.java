/**
 * A central processor, {@code [process] source = kafka}: every load balancer's polls computed in a
 * consumer group. A record's trip never enters local mode's classes.
 *
 * <pre>
 * CentralIntake ─→ kafka.KafkaPollSource ─→ PollRecordHandler.handle(record)
 *   kafka.PollRecord.read (checked: format, key, poll, size; refused ─→ spool.Quarantine)
 *   ─→ compute.PollBudget ─→ PollContainer.decodeCompressed ─→ compute.PollComputation
 *      (MetricPaths of the record's key) ─→ delivery.FanOut
 *   ─→ CentralPublisher: ClusterValues to the values topic ([cluster] aggregate),
 *      FleetRecords to the servers-state topic (best effort)
 * with [cluster] aggregate: cluster.ClusterAggregation beside, its lines read back by a second
 *   KafkaPollSource with cluster.ClusterLinesHandler ─→ the same FanOut
 * </pre>
 */
package io.haproxystats.process.central;
