/**
 * What every role reports, and what the daemon's life asks of a role.
 *
 * <pre>
 * Intake (local · edge · central) ─→ Progress (last poll finished, threads alive, polls waiting)
 *                                 ─→ Destination (Graphite's or Kafka's state, DeliveryStats)
 * ProcessReporter: every 5 s (or at the watchdog's pace) ─→ status file (the nagios checks),
 *                  systemd STATUS, WATCHDOG=1 only while the health rule holds
 * LastFinished: the one holder of "last poll finished" for the workers, forwarder and consumers
 * </pre>
 */
package io.haproxystats.process.status;
