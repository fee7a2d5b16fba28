package io.haproxystats.common.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The validated {@code [openmetrics]} section: the processor's HTTP endpoint for Prometheus and
 * other OpenMetrics scrapers. Off by default.
 *
 * @param listen        {@code listen} ({@code host:port}, host an address or name; a bare
 *                      {@code port} binds 127.0.0.1): where {@code /metrics} is served; empty: off
 * @param tlsCert       {@code tls-cert}: PEM certificate chain; with {@code tls-key}, HTTPS
 * @param tlsKey        {@code tls-key}: PEM private key (PKCS#8, unencrypted) of {@code tls-cert}
 * @param username      {@code username}: with {@code password-file}, basic authentication
 * @param passwordFile  {@code password-file}: a file whose first line is the password (kept out of
 *                      the configuration, which {@code -P} prints)
 * @param stale         how long a load balancer's latest poll is served: 3 {@code [pull]
 *                      pull-interval}s; a cluster's lines, 3 {@code [cluster] window}s plus grace
 * @param clusterStale  see {@code stale}
 */
public record OpenMetricsSettings(
        Optional<Listen> listen,
        Optional<Path> tlsCert,
        Optional<Path> tlsKey,
        Optional<String> username,
        Optional<Path> passwordFile,
        Duration stale,
        Duration clusterStale) {

    public static final String SECTION = "openmetrics";

    /** Where to listen: a host (address or name) and a TCP port. */
    public record Listen(String host, int port) {}

    /** Off: no endpoint. */
    public static OpenMetricsSettings off(Duration pullInterval) {
        return new OpenMetricsSettings(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                pullInterval.multipliedBy(3),
                pullInterval.multipliedBy(3));
    }

    static OpenMetricsSettings from(EffectiveConfig config, Duration pullInterval, ClusterSettings cluster) {
        String s = SECTION;
        Optional<Listen> listen = config.find(s, "listen")
                .map(String::strip)
                .filter(v -> !v.isEmpty())
                .map(v -> listen(s, v));
        Optional<Path> cert = config.find(s, "tls-cert")
                .map(String::strip)
                .filter(v -> !v.isEmpty())
                .map(v -> config.getPath(s, "tls-cert"));
        Optional<Path> key = config.find(s, "tls-key")
                .map(String::strip)
                .filter(v -> !v.isEmpty())
                .map(v -> config.getPath(s, "tls-key"));
        if (cert.isPresent() != key.isPresent()) {
            throw ConfigurationException.forOption(
                    s,
                    cert.isPresent() ? "tls-key" : "tls-cert",
                    "tls-cert and tls-key go together (HTTPS needs both)");
        }
        Optional<String> user = config.find(s, "username").map(String::strip).filter(v -> !v.isEmpty());
        Optional<Path> password = config.find(s, "password-file")
                .map(String::strip)
                .filter(v -> !v.isEmpty())
                .map(v -> config.getPath(s, "password-file"));
        if (user.isPresent() != password.isPresent()) {
            throw ConfigurationException.forOption(
                    s,
                    user.isPresent() ? "password-file" : "username",
                    "username and password-file go together (basic authentication needs both)");
        }
        if (user.isPresent() && user.get().contains(":")) {
            throw ConfigurationException.forOption(s, "username", "must not contain ':' (basic authentication)");
        }
        return new OpenMetricsSettings(
                listen,
                cert,
                key,
                user,
                password,
                pullInterval.multipliedBy(3),
                cluster.window().multipliedBy(3).plus(cluster.grace()));
    }

    private static Listen listen(String section, String value) {
        int colon = value.lastIndexOf(':');
        String host = colon < 0 ? "127.0.0.1" : value.substring(0, colon);
        String port = colon < 0 ? value : value.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 1 || p > 65535 || host.isEmpty()) {
            throw ConfigurationException.forOption(
                    section, "listen", "must be host:port (port 1..65535) or a port, got '" + value + "'");
        }
        return new Listen(host, p);
    }
}
