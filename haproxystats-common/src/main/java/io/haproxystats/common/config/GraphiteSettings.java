package io.haproxystats.common.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The validated {@code [graphite]} section.
 *
 * @param connect        reconnect policy: {@code retries}, {@code connect-timeout}, {@code interval},
 *                       {@code backoff}
 * @param writeTimeout   longest a write may block before the connection counts as broken
 * @param delay          pause after a round of failed reconnects before the next round
 * @param queueSize      most lines held while Graphite cannot take them
 * @param groups         group namespaces, if configured
 * @param replayBytes    {@code replay-bytes} (new, default 8 MiB, 0 = off): the last lines written
 *                       that are written again after a lost connection, before anything new
 * @param format         {@code format} (new, default {@code dotted}): dotted paths or Graphite 1.1
 *                       tagged series
 */
public record GraphiteSettings(
        String server,
        int port,
        Connect connect,
        Duration writeTimeout,
        Duration delay,
        String namespace,
        boolean prefixHostname,
        boolean fqdn,
        int queueSize,
        Optional<GroupSettings> groups,
        int replayBytes,
        Format format) {

    public static final int DEFAULT_REPLAY_BYTES = 8 << 20;

    /**
     * {@code [graphite] format}: how a line names its series. {@link #DOTTED} (the default) is the
     * original's path, byte for byte; {@link #TAGS} is a Graphite 1.1 tagged series
     * ({@code name;tag=value;...}) made from that path by one table (docs/metrics.md), for every
     * line every dispatcher but the OpenMetrics endpoint sends.
     */
    public enum Format {
        DOTTED,
        TAGS;

        static Format from(String section, String option, String value) {
            return switch (value.strip()) {
                case "dotted" -> DOTTED;
                case "tags" -> TAGS;
                default ->
                    throw ConfigurationException.forOption(
                            section, option, "must be 'dotted' or 'tags', got '" + value.strip() + "'");
            };
        }
    }

    /** Settings with the default replay window, in the dotted format (tests and benchmarks). */
    public GraphiteSettings(
            String server,
            int port,
            Connect connect,
            Duration writeTimeout,
            Duration delay,
            String namespace,
            boolean prefixHostname,
            boolean fqdn,
            int queueSize,
            Optional<GroupSettings> groups) {
        this(
                server,
                port,
                connect,
                writeTimeout,
                delay,
                namespace,
                prefixHostname,
                fqdn,
                queueSize,
                groups,
                DEFAULT_REPLAY_BYTES,
                Format.DOTTED);
    }

    public static final String SECTION = "graphite";

    /**
     * The options that form a load balancer's metric paths, as one text: namespace,
     * prefix-hostname, fqdn and the group namespaces with their patterns. Central processors of one
     * consumer group must agree on them: a load balancer's partition moves between them at every
     * rebalance, and its series would move between paths with it.
     */
    public String pathOptions() {
        StringBuilder b = new StringBuilder()
                .append("namespace=")
                .append(namespace)
                .append(" prefix-hostname=")
                .append(prefixHostname)
                .append(" fqdn=")
                .append(fqdn);
        groups.ifPresent(g -> {
            b.append(" group-namespace=")
                    .append(g.namespace())
                    .append(" double-writes=")
                    .append(g.doubleWrites());
            for (List<GroupSettings.Group> part : List.of(g.frontend(), g.backend(), g.server())) {
                b.append(" |");
                part.forEach(group -> b.append(' ')
                        .append(group.name())
                        .append('=')
                        .append(group.pattern().pattern()));
            }
        });
        return b.toString();
    }

    /** The first 8 hex digits of the SHA-256 of {@link #pathOptions}: what processors compare. */
    public String pathOptionsHash() {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256").digest(pathOptions().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    public static GraphiteSettings from(EffectiveConfig config) {
        String s = SECTION;
        String server = config.get(s, "server").strip();
        if (server.isEmpty()) {
            throw ConfigurationException.forOption(s, "server", "must be a host name or address, got an empty value");
        }
        int port = (int) config.getInt(s, "port", 1, 65535);
        Connect connect = new Connect(
                (int) config.getInt(s, "retries", -1, Integer.MAX_VALUE),
                config.getDuration(s, "connect-timeout", 0.001),
                config.getDuration(s, "interval", 0),
                config.getSeconds(s, "backoff", 1, 100));
        Duration writeTimeout = config.getDuration(s, "write-timeout", 0.001);
        Duration delay = config.getDuration(s, "delay", 0);
        String namespace = MetricPathOptions.dottedPath(
                s, "namespace", config.get(s, "namespace").strip());
        boolean prefixHostname = config.getBoolean(s, "prefix-hostname");
        boolean fqdn = config.getBoolean(s, "fqdn");
        int queueSize = (int) config.getInt(s, "queue-size", 1, Integer.MAX_VALUE);
        int replayBytes = config.find(s, "replay-bytes").isEmpty()
                ? DEFAULT_REPLAY_BYTES
                : (int) config.getInt(s, "replay-bytes", 0, 256 << 20);
        Format format =
                config.find(s, "format").isEmpty() ? Format.DOTTED : Format.from(s, "format", config.get(s, "format"));
        return new GraphiteSettings(
                server,
                port,
                connect,
                writeTimeout,
                delay,
                namespace,
                prefixHostname,
                fqdn,
                queueSize,
                GroupSettings.from(config),
                replayBytes,
                format);
    }
}
