package io.haproxystats.common.haproxy;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where an HAProxy stats socket listens. {@link #name()} is the stem of the files the puller writes
 * for it ({@code <name>_info}, {@code <name>_stat}): the socket file's base name, or
 * {@code host:port} for TCP, as the original names them.
 */
public sealed interface SocketAddress permits SocketAddress.Unix, SocketAddress.Tcp {

    String name();

    /** A UNIX stream socket file. */
    record Unix(Path path) implements SocketAddress {
        @Override
        public String name() {
            return path.getFileName().toString();
        }

        @Override
        public String toString() {
            return "unix://" + path;
        }
    }

    /** A TCP stats socket; {@code host} is a name, an IPv4 address or a bare IPv6 address. */
    record Tcp(String host, int port) implements SocketAddress {
        @Override
        public String name() {
            return host + ":" + port;
        }

        @Override
        public String toString() {
            return "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    Pattern TCP = Pattern.compile("tcp://(?:\\[([0-9A-Fa-f:.]+)]|([^\\[\\]:/]+)):(\\d{1,5})");

    /**
     * Parses {@code unix:///path} or {@code tcp://host:port} ({@code tcp://[v6]:port}).
     *
     * @throws IllegalArgumentException with what was expected
     */
    static SocketAddress parse(String url) {
        String s = url.strip();
        if (s.startsWith("unix://")) {
            String path = s.substring("unix://".length());
            if (!path.startsWith("/") || path.length() < 2) {
                throw new IllegalArgumentException("'" + s + "' must be unix:///absolute/path/to/socket");
            }
            try {
                return new Unix(Path.of(path));
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("'" + Excerpt.of(s) + "' is not a usable path: " + e.getReason());
            }
        }
        Matcher m = TCP.matcher(s);
        if (m.matches()) {
            int port = Integer.parseInt(m.group(3));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("'" + s + "' has port " + port + ", expected 1 to 65535");
            }
            return new Tcp(m.group(1) != null ? m.group(1) : m.group(2), port);
        }
        throw new IllegalArgumentException("'" + s + "' is not unix:///path or tcp://host:port (tcp://[ipv6]:port)");
    }
}
