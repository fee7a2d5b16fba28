/**
 * {@code haproxystats-fleet}: every server's state across the fleet, read from the servers-state
 * topic (and the cluster lines topic for the page); {@code servers} and {@code serve} only read;
 * {@code retire LB}, the one writer, run by an operator: tombstones for a load balancer that left
 * the fleet.
 *
 * <pre>
 * FleetCommand servers (picocli; a watchdog ends the run at --timeout from the process's start)
 *   ─→ kafka.KafkaClients.fleetReader ─→ kafka.FleetRecord.read (checked; refused records kept aside)
 *   ─→ FleetView (pure: fold with HostFolding, nagios verdict, refused records said after the servers)
 * FleetCommand serve ─→ FleetFeed (one thread following both topics) ─→ FleetServer (routes on
 *   common.http.HttpEndpoint) ─→ FleetView.analyse ─→ FleetPage (pure: page, live part, JSON)
 * retire ─→ the same reader ─→ kafka.KafkaClients.publisherProducer: a tombstone per key of the LB
 * </pre>
 */
package io.haproxystats.process.fleet;
