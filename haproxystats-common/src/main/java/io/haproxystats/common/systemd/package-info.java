/**
 * systemd's notify protocol (READY, STATUS, WATCHDOG, STOPPING datagrams to $NOTIFY_SOCKET) over
 * jnr-unixsocket: {@link io.haproxystats.common.systemd.SystemdNotifier}.
 */
package io.haproxystats.common.systemd;
