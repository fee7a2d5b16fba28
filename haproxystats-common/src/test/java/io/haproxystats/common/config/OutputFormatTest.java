package io.haproxystats.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The output options: {@code [graphite] format} (dotted by default, tags when asked) and
 * {@code [openmetrics]} (off by default; listen, TLS and basic authentication in pairs), anything
 * else an error naming the option.
 */
class OutputFormatTest {

    @TempDir
    Path tmp;

    private ProcessConfig read(String ini) throws IOException {
        return ProcessConfig.from(ConfigLoader.load(Files.writeString(tmp.resolve("c.conf"), ini), null));
    }

    @Test
    void dottedByDefaultTagsWhenAsked() throws IOException {
        assertEquals(
                GraphiteSettings.Format.DOTTED,
                read("[graphite]\nport = 2003\n").graphite().format());
        assertEquals(
                GraphiteSettings.Format.DOTTED,
                read("[graphite]\nformat = dotted\n").graphite().format());
        assertEquals(
                GraphiteSettings.Format.TAGS,
                read("[graphite]\nformat = tags\n").graphite().format());
    }

    @Test
    void anotherFormatIsAnErrorNamingTheOption() {
        String message = assertThrows(ConfigurationException.class, () -> read("[graphite]\nformat = tagged\n"))
                .getMessage();
        assertEquals("[graphite] format: must be 'dotted' or 'tags', got 'tagged'", message);
    }

    @Test
    void openMetricsIsOffByDefaultAndListensWhereTold() throws IOException {
        OpenMetricsSettings off = read("[pull]\npull-interval = 5\n").openMetrics();
        assertEquals(java.util.Optional.empty(), off.listen());
        assertEquals(java.time.Duration.ofSeconds(15), off.stale(), "3 pull intervals");
        assertEquals(
                new OpenMetricsSettings.Listen("127.0.0.1", 9210),
                read("[openmetrics]\nlisten = 127.0.0.1:9210\n")
                        .openMetrics()
                        .listen()
                        .orElseThrow());
        assertEquals(
                new OpenMetricsSettings.Listen("127.0.0.1", 9211),
                read("[openmetrics]\nlisten = 9211\n").openMetrics().listen().orElseThrow());
        assertEquals(
                new OpenMetricsSettings.Listen("::1", 9210),
                read("[openmetrics]\nlisten = [::1]:9210\n")
                        .openMetrics()
                        .listen()
                        .orElseThrow());
    }

    @Test
    void openMetricsErrorsNameTheOption() {
        assertEquals(
                "[openmetrics] listen: must be host:port (port 1..65535) or a port, got 'localhost:http'",
                assertThrows(ConfigurationException.class, () -> read("[openmetrics]\nlisten = localhost:http\n"))
                        .getMessage());
        assertEquals(
                "[openmetrics] tls-key: tls-cert and tls-key go together (HTTPS needs both)",
                assertThrows(
                                ConfigurationException.class,
                                () -> read("[openmetrics]\nlisten = 9210\ntls-cert = /etc/c.pem\n"))
                        .getMessage());
        assertEquals(
                "[openmetrics] password-file: username and password-file go together (basic authentication needs both)",
                assertThrows(
                                ConfigurationException.class,
                                () -> read("[openmetrics]\nlisten = 9210\nusername = prometheus\n"))
                        .getMessage());
    }
}
