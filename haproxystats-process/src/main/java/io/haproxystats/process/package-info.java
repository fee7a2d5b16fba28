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
 * ProcessReporter: status file, systemd STATUS and WATCHDOG
 * </pre>
 */
package io.haproxystats.process;
