/**
 * The OpenMetrics endpoint ({@code [openmetrics] listen}): the latest computed poll of every load
 * balancer (or of this one) and the cluster lines, for Prometheus and other scrapers.
 *
 * <pre>
 * FanOut ─→ OpenMetricsDispatcher.submit(batch): remembered, latest per load balancer or cluster;
 *           completed at once (never holds a poll)
 *             ─→ its own thread: Snapshot.of(batch) (compute.SeriesMapping: dotted path ─→ name,
 *                labels; common MetricDescriptions: counter or gauge, unit, help), immutable
 * GET /metrics ─→ MetricsEndpoint (JDK HttpServer/HttpsServer, a virtual thread per scrape, basic
 *                 auth) ─→ the fresh snapshots (3 pull intervals) ─→ Exposition: OpenMetrics 1.0.0
 *                 or Prometheus 0.0.4 text, families merged, each sample with its line's timestamp;
 *                 gzip when asked
 * </pre>
 *
 * Imports compute, status and delivery; imported by the root's Outputs only.
 */
package io.haproxystats.process.openmetrics;
