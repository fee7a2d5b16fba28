/**
 * The Graphite plaintext transport: a {@code delivery.Sender}.
 *
 * <pre>
 * QueueingDispatcher ─→ GraphiteConnection (one long-lived connection, probe for a closed peer,
 *                        write watchdog; a batch delivered once the peer's TCP acknowledged it:
 *                        UnackedBytes, SIOCOUTQ) ─→ carbon-c-relay / carbon
 *                       ReplayRing: the last replay-bytes written, written again after a lost connection
 * </pre>
 */
package io.haproxystats.process.graphite;
