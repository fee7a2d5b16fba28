package io.haproxystats.common.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The validated {@code [logs]} section (new, issue 29): HAProxy's request logs received by
 * {@code haproxystats-pull} and turned into latency percentiles per frontend, backend and server.
 * Off unless {@code listen} names a socket.
 *
 * @param listen      where the puller receives HAProxy's log datagrams ({@code listen}, comma-separated
 *                    {@code unix:/path} and {@code udp://host:port}); empty: the receiver is off
 * @param percentiles what the processor writes from each sketch ({@code percentiles}, default
 *                    {@code 50,90,99,99.9}), in the order given
 * @param rcvbuf      {@code SO_RCVBUF} asked for each socket in bytes ({@code rcvbuf}); empty: the
 *                    kernel's default ({@code net.core.rmem_default}); Linux caps the value at
 *                    {@code net.core.rmem_max} and doubles it for its own bookkeeping
 * @param maxSeries   the most (frontend), (backend) and (backend, server) names kept in one pull
 *                    interval ({@code max-series}); lines naming more are counted as unparsed, so a
 *                    flood of invented names cannot exhaust the puller's heap
 */
public record LogsSettings(List<Listen> listen, List<Percentile> percentiles, OptionalInt rcvbuf, int maxSeries) {

    public static final String SECTION = "logs";
    /** The built-in {@code percentiles}. */
    public static final String DEFAULT_PERCENTILES = "50,90,99,99.9";
    /** The built-in {@code max-series}. */
    public static final int DEFAULT_MAX_SERIES = 100_000;

    public LogsSettings {
        listen = List.copyOf(listen);
        percentiles = List.copyOf(percentiles);
    }

    /** True when the receiver runs ({@code listen} names at least one socket). */
    public boolean enabled() {
        return !listen.isEmpty();
    }

    /** A socket the receiver listens on. */
    public sealed interface Listen permits Listen.Unix, Listen.Udp {

        /** A UNIX datagram socket file, created by the puller (HAProxy: {@code log /path local0}). */
        record Unix(Path path) implements Listen {
            @Override
            public String toString() {
                return "unix:" + path;
            }
        }

        /** A UDP socket; {@code host} is a name, an IPv4 address or a bare IPv6 address. */
        record Udp(String host, int port) implements Listen {
            @Override
            public String toString() {
                return "udp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
            }
        }
    }

    /**
     * One percentile: {@code value} in (0, 100), {@code name} its path element ({@code p50},
     * {@code p999} for 99.9: the dot would split the Graphite path).
     */
    public record Percentile(double value, String name) {
        /** {@code value} as a quantile, 0 to 1. */
        public double quantile() {
            return value / 100.0;
        }
    }

    private static final Pattern UDP = Pattern.compile("udp://(?:\\[([0-9A-Fa-f:.]+)]|([^\\[\\]:/\\s]+)):(\\d{1,5})");
    private static final Pattern NUMBER = Pattern.compile("\\d{1,2}(?:\\.\\d{1,6})?");

    public static LogsSettings from(EffectiveConfig config) {
        String s = SECTION;
        List<Listen> listen = new ArrayList<>();
        config.find(s, "listen").ifPresent(value -> {
            for (String entry : value.split(",")) {
                String e = entry.strip();
                if (!e.isEmpty()) {
                    Listen l = listen(e);
                    if (listen.contains(l)) {
                        throw ConfigurationException.forOption(s, "listen", "'" + e + "' is listed twice");
                    }
                    listen.add(l);
                }
            }
        });
        List<Percentile> percentiles = percentiles(config.find(s, "percentiles").orElse(DEFAULT_PERCENTILES));
        OptionalInt rcvbuf = config.find(s, "rcvbuf").isEmpty()
                ? OptionalInt.empty()
                : OptionalInt.of((int) config.getInt(s, "rcvbuf", 1024, 1 << 30));
        int maxSeries = config.find(s, "max-series").isEmpty()
                ? DEFAULT_MAX_SERIES
                : (int) config.getInt(s, "max-series", 1, 10_000_000);
        return new LogsSettings(listen, percentiles, rcvbuf, maxSeries);
    }

    /** One {@code listen} entry: {@code unix:/absolute/path} or {@code udp://host:port}. */
    static Listen listen(String entry) {
        if (entry.startsWith("unix:")) {
            String path = entry.substring("unix:".length());
            if (path.startsWith("//")) {
                path = path.substring(2); // unix:///path, as [pull] servers writes it
            }
            if (!path.startsWith("/") || path.length() < 2) {
                throw ConfigurationException.forOption(
                        SECTION, "listen", "'" + entry + "': expected unix:/absolute/path/to/socket");
            }
            try {
                return new Listen.Unix(Path.of(path));
            } catch (InvalidPathException e) {
                throw ConfigurationException.forOption(
                        SECTION, "listen", "'" + entry + "' is not a usable path: " + e.getReason());
            }
        }
        Matcher m = UDP.matcher(entry);
        if (m.matches()) {
            int port = Integer.parseInt(m.group(3));
            if (port < 1 || port > 65535) {
                throw ConfigurationException.forOption(
                        SECTION, "listen", "'" + entry + "' has port " + port + ", expected 1 to 65535");
            }
            return new Listen.Udp(m.group(1) != null ? m.group(1) : m.group(2), port);
        }
        throw ConfigurationException.forOption(
                SECTION,
                "listen",
                "'" + entry
                        + "' is not unix:/path or udp://host:port (udp://[ipv6]:port); entries are comma-separated");
    }

    /** {@code percentiles}: comma-separated numbers above 0 and below 100, each named once. */
    public static List<Percentile> percentiles(String value) {
        List<Percentile> out = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        for (String entry : value.split(",")) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            if (!NUMBER.matcher(e).matches() || Double.parseDouble(e) <= 0) {
                throw ConfigurationException.forOption(
                        SECTION,
                        "percentiles",
                        "'" + e + "' is not a percentile: expected a number above 0 and below 100 "
                                + "(at most 6 decimals), comma-separated, such as 50,90,99,99.9");
            }
            String name = "p" + e.replace(".", "");
            String other = names.putIfAbsent(name, e);
            if (other != null) {
                throw ConfigurationException.forOption(
                        SECTION,
                        "percentiles",
                        other.equals(e)
                                ? "'" + e + "' is listed twice"
                                : "'" + other + "' and '" + e + "' would both be written " + name);
            }
            out.add(new Percentile(Double.parseDouble(e), name.toLowerCase(Locale.ROOT)));
        }
        if (out.isEmpty()) {
            throw ConfigurationException.forOption(
                    SECTION, "percentiles", "is empty; expected numbers such as 50,90,99,99.9");
        }
        return out;
    }
}
