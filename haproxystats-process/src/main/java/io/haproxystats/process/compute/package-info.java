/**
 * The pure core: a poll's files in, its lines out; no thread, socket or clock of its own (the
 * wall clock the self metrics need is injected). Tested from fixture files.
 *
 * <pre>
 * PollComputation.compute(name, files, excluded) ─→ each file a sealed ParsedFile:
 *     _info          InfoParser ─→ InfoRecord ─→ DaemonAggregator ┐
 *     _stat          StatParser ─→ StatTable  ─→ SiteAggregator   ├─ MetricPaths ─→ MetricBatch
 *     _servers-state ServersStateAnswer ─→ ServersStateAggregator ┤
 *     log_timers     LogTimersFile (common) ─→ LogTimers ─→ TimerLines ┘ (request-timer sketches, [logs])
 *     (a file that does not parse: FileError, named with file, line and reason; others: Ignored)
 * PollBudget: a poll's size against the heap before reading; one large poll computed at a time
 * Hostname: this machine's name as local mode writes it in paths
 * SeriesMapping: a dotted path ─→ a series (name + tags): Graphite 1.1 tagged lines, OpenMetrics
 * </pre>
 */
package io.haproxystats.process.compute;
