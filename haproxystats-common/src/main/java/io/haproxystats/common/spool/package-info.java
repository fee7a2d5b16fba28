/**
 * The directory contract between the daemons.
 *
 * <pre>
 * haproxystats-pull:    tmp-dst-dir/&lt;epoch&gt;/&lt;socket&gt;_info|_stat|_servers_state|_dead
 *                         ── atomic rename, only when complete ──→ dst-dir/&lt;epoch&gt;/
 * haproxystats-process: src-dir (= dst-dir) ─→ delivered: deleted · unparsable: quarantine
 * </pre>
 *
 * {@link io.haproxystats.common.spool.PollFiles} names the files, {@link
 * io.haproxystats.common.spool.SpoolLock} keeps one daemon of each kind per spool, {@link
 * io.haproxystats.common.spool.FileModes} gives every created path an explicit mode.
 */
package io.haproxystats.common.spool;
