/**
 * haproxystats-process.
 *
 * <pre>
 * IncomingWatcher (lock, watch, rescan) ─→ WorkQueue ─→ Workers ─→ PollHandler.handle
 *   heap check ─→ PollComputation (pure): files ─→ ParsedFile
 *                 InfoParser ─→ DaemonAggregator ┐
 *                 StatParser ─→ SiteAggregator    ├─ MetricPaths ─→ MetricBatch
 *   ServersStateAnswer ─→ ServersStateAggregator ┘
 *   ─→ Dispatchers: LocalStoreDispatcher, GraphiteDispatcher (FIFO, sender thread, ReplayRing)
 *   ─→ finisher: delete · Quarantine · retry (only the dispatchers without it)
 * ProcessReporter: status file, systemd STATUS and WATCHDOG
 * </pre>
 */
package io.haproxystats.process;
