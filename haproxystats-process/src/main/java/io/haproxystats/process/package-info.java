/**
 * haproxystats-process.
 *
 * <pre>
 * IncomingWatcher (lock, watch, rescan) ─→ WorkQueue ─→ Workers ─→ PollHandler.handle
 *   PollReader (sizes, heap check, exclude files) ─→ PollComputation (pure): files ─→ ParsedFile
 *                 InfoParser ─→ DaemonAggregator ┐
 *                 StatParser ─→ SiteAggregator    ├─ MetricPaths ─→ MetricBatch
 *   ServersStateAnswer ─→ ServersStateAggregator ┘
 *   ─→ Dispatchers: LocalStoreDispatcher,
 *                   QueueingDispatcher (FIFO, order, retries, drops; Clock) ─→ Sender
 *                                                       GraphiteConnection (probe, watchdog, ReplayRing)
 *   ─→ finisher: delete (rename to .deleting-, then delete) · Quarantine · retry (only the
 *      dispatchers without it)
 * AotTraining: marks the launcher's JDK AOT cache good after a clean run that computed polls
 * ProcessReporter: status file, systemd STATUS and WATCHDOG
 * </pre>
 */
package io.haproxystats.process;
