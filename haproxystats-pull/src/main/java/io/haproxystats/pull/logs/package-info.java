/**
 * The request-log receiver ({@code [logs]}, issue 29): HAProxy's log datagrams on UNIX datagram
 * and UDP sockets, parsed ({@link io.haproxystats.pull.logs.LogLineParser}) into per-interval
 * sketches ({@link io.haproxystats.pull.logs.LogAccumulator}) that each poll writes as its
 * {@code log_timers} file ({@link io.haproxystats.pull.logs.LogReceiver}).
 */
package io.haproxystats.pull.logs;
