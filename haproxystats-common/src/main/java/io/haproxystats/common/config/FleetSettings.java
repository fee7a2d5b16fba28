package io.haproxystats.common.config;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fleet page's HTTP server ({@code [fleet]}, read by {@code haproxystats-fleet serve}).
 *
 * @param host              the address to bind: loopback unless told otherwise, since the page
 *                          names every server of the fleet
 * @param port              the port to bind (0: any free port, said at start)
 * @param basicAuthFile     {@code [fleet] basic-auth-file}: lines {@code user:{SHA}base64} as
 *                          {@code htpasswd -s} writes them; every request must then carry one of
 *                          these users (HTTP basic authentication; use it with TLS)
 * @param tlsKeystore       {@code [fleet] tls-keystore}: a PKCS#12 key store with the server's key
 *                          and certificate; the server then speaks HTTPS only
 * @param tlsKeystorePassword {@code [fleet] tls-keystore-password} (empty when the store has none)
 */
public record FleetSettings(
        String host, int port, Optional<Path> basicAuthFile, Optional<Path> tlsKeystore, String tlsKeystorePassword) {

    public static final String SECTION = "fleet";
    public static final String DEFAULT_LISTEN = "127.0.0.1:9211";

    private static final Pattern LISTEN = Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([^\\s:\\[\\]]+)):(\\d{1,5})");

    /**
     * The section's settings; {@code listen} (a {@code --listen} given on the command line) wins
     * over {@code [fleet] listen}.
     */
    public static FleetSettings from(EffectiveConfig config, Optional<String> listen) {
        String where = listen.isPresent() ? "--listen" : "[" + SECTION + "] listen";
        String value =
                listen.or(() -> own(config, "listen")).orElse(DEFAULT_LISTEN).strip();
        Matcher m = LISTEN.matcher(value);
        if (!m.matches() || Integer.parseInt(m.group(3)) > 65535) {
            throw new ConfigurationException(
                    where + ": expected host:port (or [ipv6]:port, port 0 to 65535), got '" + value + "'");
        }
        String host = m.group(1) != null ? m.group(1) : m.group(2);
        Optional<Path> auth = own(config, "basic-auth-file").map(v -> config.path(SECTION, "basic-auth-file", v));
        Optional<Path> keystore = own(config, "tls-keystore").map(v -> config.path(SECTION, "tls-keystore", v));
        String password = own(config, "tls-keystore-password").orElse("");
        if (keystore.isEmpty() && !password.isEmpty()) {
            throw ConfigurationException.forOption(SECTION, "tls-keystore-password", "is set without tls-keystore");
        }
        return new FleetSettings(host, Integer.parseInt(m.group(3)), auth, keystore, password);
    }

    /** {@code host:port} as it was given ({@code [v6]:port} for an IPv6 address). */
    public String listen() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private static Optional<String> own(EffectiveConfig config, String option) {
        if (!config.hasSection(SECTION) || !config.ownOptions(SECTION).contains(option)) {
            return Optional.empty();
        }
        return Optional.of(config.get(SECTION, option).strip()).filter(v -> !v.isEmpty());
    }
}
