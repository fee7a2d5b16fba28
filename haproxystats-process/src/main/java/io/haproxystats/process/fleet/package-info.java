/**
 * {@code haproxystats-fleet}: every server's state across the fleet, read from the servers-state
 * topic (and the cluster lines topic for the page); read-only.
 *
 * <pre>
 * FleetCommand servers (picocli) ─→ kafka.KafkaClients.fleetReader ─→ kafka.FleetRecord
 *   ─→ FleetView (pure: fold with HostFolding, nagios verdict)
 * FleetCommand serve ─→ FleetFeed (one thread following both topics) ─→ FleetServer (routes on
 *   common.http.HttpEndpoint) ─→ FleetView.analyse ─→ FleetPage (pure: page, live part, JSON)
 * </pre>
 */
package io.haproxystats.process.fleet;
