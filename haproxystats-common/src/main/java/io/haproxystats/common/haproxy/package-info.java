/**
 * HAProxy's side of the contract: where a stats socket is ({@link
 * io.haproxystats.common.haproxy.SocketAddress}), every numeric {@code show stat} field and how it
 * is aggregated ({@link io.haproxystats.common.haproxy.MetricCatalogue}, {@link
 * io.haproxystats.common.haproxy.Aggregation}), and the {@code show servers state} format read by
 * both daemons ({@link io.haproxystats.common.haproxy.ServersStateAnswer}).
 */
package io.haproxystats.common.haproxy;
