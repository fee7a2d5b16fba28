/**
 * The edge, {@code [process] mode = forward}: each poll of src-dir produced as one record of the
 * polls topic; nothing computed on the load balancer.
 *
 * <pre>
 * EdgeIntake ─→ spool.SourceDir ─→ PollForwarder (oldest poll first, one record in flight,
 *   kafka.PollContainer zstd-compressed while the files are read, kafka.PollRecord's headers)
 *   ─→ polls topic; the directory deleted on the broker's acknowledgement
 * </pre>
 */
package io.haproxystats.process.edge;
