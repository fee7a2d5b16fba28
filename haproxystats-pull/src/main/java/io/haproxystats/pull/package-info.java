/**
 * haproxystats-pull.
 *
 * <pre>
 * PullCommand ─→ Spool.prepare (create, lock, clean tmp-dst-dir)
 *            └─→ Puller (fixed-phase ticks) ─→ Poller.pollOnce
 *                   SocketDiscovery (socket-dir + servers) · MasterWorkers (show proc)
 *                   ─→ StatsClient.fetch, one virtual thread per socket × command
 *                   ─→ dead sockets left out (_dead) · any other failure: nothing lands
 *                   ─→ Spool.commit (every file still there) ─→ dst-dir
 *            └─→ PullReporter (status file, systemd STATUS)
 * </pre>
 */
package io.haproxystats.pull;
