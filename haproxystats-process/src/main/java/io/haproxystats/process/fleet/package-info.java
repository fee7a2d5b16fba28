/**
 * {@code haproxystats-fleet}: every server's state across the fleet, read from the servers-state
 * topic; read-only.
 *
 * <pre>
 * FleetCommand (picocli) ─→ kafka.KafkaClients.fleetReader ─→ kafka.FleetRecord
 *   ─→ FleetView (pure: fold with HostFolding, nagios verdict)
 * </pre>
 */
package io.haproxystats.process.fleet;
