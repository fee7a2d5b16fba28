/**
 * haproxystats-process: {@link io.haproxystats.process.ProcessCommand} parses the options and
 * starts the one intake its settings name; {@code Outputs} makes the dispatchers it hands them.
 *
 * <pre>
 * ProcessCommand ─┬─ [process] mode = forward ─→ edge.EdgeIntake     (src-dir → polls topic)
 *                 ├─ [process] source = kafka ─→ central.CentralIntake (polls topic → lines; cluster)
 *                 └─ otherwise ───────────────→ local.LocalIntake    (src-dir → lines)
 *   each intake: status.Intake (description, progress, destination, liveness, ordered stop)
 *   status.ProcessReporter: status file, systemd STATUS and WATCHDOG, from the intake's Progress
 *   AotTraining: marks the launcher's JDK AOT cache good after a clean run that computed polls
 *
 * Layers (an arrow only downwards; no package imports one above it or beside it on its row):
 *   (root)                      ProcessCommand, Outputs, AotTraining
 *   local · edge · central      the roles          fleet: haproxystats-fleet
 *   cluster                     the Streams windows (started by central)
 *   graphite · kafka            transports and topics' record formats
 *   delivery                    Dispatcher, QueueingDispatcher, FanOut
 *   spool                       src-dir, quarantine, exclude files
 *   status                      Progress, Destination, Intake, the reporter
 *   compute                     the pure core: files in, a MetricBatch out
 * </pre>
 */
package io.haproxystats.process;
