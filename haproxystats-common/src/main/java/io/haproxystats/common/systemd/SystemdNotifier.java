package io.haproxystats.common.systemd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sd_notify protocol: one datagram per message ({@code READY=1}, {@code STATUS=...},
 * {@code WATCHDOG=1}, {@code STOPPING=1}) to the UNIX datagram socket named by
 * {@code $NOTIFY_SOCKET}, a path or an abstract address written {@code @name}. Sent with
 * jnr-unixsocket's UnixDatagramChannel: the JDK has no UNIX datagram sockets. Without
 * {@code NOTIFY_SOCKET} (not run by systemd, or Type=simple) every call does nothing. A failed
 * send is logged once and never stops the daemon. Thread-safe.
 */
public final class SystemdNotifier implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotifier.class);

    private final UnixDatagramChannel channel;
    private final UnixSocketAddress address;
    private final String description;
    private final Optional<Duration> watchdogInterval;
    private boolean failureLogged;

    private SystemdNotifier(
            UnixDatagramChannel channel,
            UnixSocketAddress address,
            String description,
            Optional<Duration> watchdogInterval) {
        this.channel = channel;
        this.address = address;
        this.description = description;
        this.watchdogInterval = watchdogInterval;
    }

    /** The notifier the environment asks for: systemd's variables, or a no-op one. */
    public static SystemdNotifier fromEnvironment(Map<String, String> env) {
        String socket = env.get("NOTIFY_SOCKET");
        Optional<Duration> watchdog =
                watchdogInterval(env, ProcessHandle.current().pid());
        if (socket == null || socket.isEmpty()) {
            return new SystemdNotifier(null, null, "none", watchdog);
        }
        // An abstract address: systemd writes its leading NUL as '@'; jnr takes the NUL itself.
        String path = socket.startsWith("@") ? "\0" + socket.substring(1) : socket;
        try {
            return new SystemdNotifier(UnixDatagramChannel.open(), new UnixSocketAddress(path), socket, watchdog);
        } catch (IOException | RuntimeException e) {
            LOG.warn(
                    "NOTIFY_SOCKET={}: cannot open a datagram socket ({}); systemd will not hear from us",
                    socket,
                    e.toString());
            return new SystemdNotifier(null, null, socket, watchdog);
        }
    }

    /**
     * How often to send WATCHDOG=1: half of {@code WATCHDOG_USEC} (systemd's advice), when it is
     * set and {@code WATCHDOG_PID} is absent or ours.
     */
    static Optional<Duration> watchdogInterval(Map<String, String> env, long pid) {
        String usec = env.get("WATCHDOG_USEC");
        String forPid = env.get("WATCHDOG_PID");
        if (usec == null || (forPid != null && !forPid.equals(Long.toString(pid)))) {
            return Optional.empty();
        }
        try {
            long micros = Long.parseLong(usec.strip());
            return micros > 0 ? Optional.of(Duration.ofNanos(micros * 500)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    public Optional<Duration> watchdogInterval() {
        return watchdogInterval;
    }

    public boolean enabled() {
        return channel != null;
    }

    public void ready(String status) {
        send("READY=1\nSTATUS=" + oneLine(status));
    }

    public void status(String status) {
        send("STATUS=" + oneLine(status));
    }

    public void watchdog() {
        send("WATCHDOG=1");
    }

    public void stopping() {
        send("STOPPING=1\nSTATUS=stopping");
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ');
    }

    private synchronized void send(String message) {
        if (channel == null) {
            return;
        }
        try {
            channel.send(ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)), address);
        } catch (IOException | RuntimeException e) {
            if (!failureLogged) {
                failureLogged = true;
                LOG.warn(
                        "NOTIFY_SOCKET={}: cannot send '{}' ({}); further failures are not logged",
                        description,
                        message.lines().findFirst().orElse(""),
                        e.toString());
            }
        }
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Nothing to release further.
            }
        }
    }
}
