package io.haproxystats.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code [logs]}: every option validated with an error naming section, option and what was expected. */
class LogsSettingsTest {

    @TempDir
    Path tmp;

    private EffectiveConfig load(String text) throws Exception {
        return ConfigLoader.load(Files.writeString(tmp.resolve("c.conf"), text), null);
    }

    @Test
    void offByDefaultWithTheDefaultPercentiles() throws Exception {
        LogsSettings logs = PullSettings.from(load("")).logs();
        assertFalse(logs.enabled());
        assertEquals(
                List.of("p50", "p90", "p99", "p999"),
                logs.percentiles().stream().map(LogsSettings.Percentile::name).toList());
        assertEquals(0.999, logs.percentiles().get(3).quantile(), 1e-12);
        assertEquals(OptionalInt.empty(), logs.rcvbuf());
        assertEquals(LogsSettings.DEFAULT_MAX_SERIES, logs.maxSeries());
    }

    @Test
    void listenTakesUnixAndUdpSocketsCommaSeparated() throws Exception {
        LogsSettings logs = PullSettings.from(load("""
                        [logs]
                        listen = unix:/run/haproxystats/log.sock, udp://127.0.0.1:5514,udp://[::1]:5515, unix:///tmp/b.sock
                        percentiles = 75, 99.99
                        rcvbuf = 4194304
                        max-series = 500
                        """)).logs();
        assertTrue(logs.enabled());
        assertEquals(
                List.of(
                        new LogsSettings.Listen.Unix(Path.of("/run/haproxystats/log.sock")),
                        new LogsSettings.Listen.Udp("127.0.0.1", 5514),
                        new LogsSettings.Listen.Udp("::1", 5515),
                        new LogsSettings.Listen.Unix(Path.of("/tmp/b.sock"))),
                logs.listen());
        assertEquals(
                List.of(new LogsSettings.Percentile(75, "p75"), new LogsSettings.Percentile(99.99, "p9999")),
                logs.percentiles());
        assertEquals(OptionalInt.of(4194304), logs.rcvbuf());
        assertEquals(500, logs.maxSeries());
        assertEquals("udp://[::1]:5515", logs.listen().get(2).toString());
    }

    @Test
    void badValuesNameTheSectionTheOptionAndWhatWasExpected() throws Exception {
        String[][] cases = {
            {
                "listen = tcp://127.0.0.1:5514",
                "[logs] listen: 'tcp://127.0.0.1:5514' is not unix:/path or udp://host:port"
            },
            {"listen = unix:relative.sock", "[logs] listen: 'unix:relative.sock': expected unix:/absolute/path"},
            {
                "listen = udp://127.0.0.1:70000",
                "[logs] listen: 'udp://127.0.0.1:70000' has port 70000, expected 1 to 65535"
            },
            {"listen = udp://127.0.0.1:1, udp://127.0.0.1:1", "[logs] listen: 'udp://127.0.0.1:1' is listed twice"},
            {
                "percentiles = 50,100",
                "[logs] percentiles: '100' is not a percentile: expected a number above 0 and below 100"
            },
            {"percentiles = 0", "[logs] percentiles: '0' is not a percentile"},
            {"percentiles = fifty", "[logs] percentiles: 'fifty' is not a percentile"},
            {"percentiles = 99.9,9.99", "[logs] percentiles: '99.9' and '9.99' would both be written p999"},
            {"percentiles = 90,90", "[logs] percentiles: '90' is listed twice"},
            {"percentiles = ,", "[logs] percentiles: is empty"},
            {"rcvbuf = 10", "[logs] rcvbuf: must be an integer from 1024 to 1073741824, got '10'"},
            {"rcvbuf = lots", "[logs] rcvbuf: must be an integer, got 'lots'"},
            {"max-series = 0", "[logs] max-series: must be an integer from 1 to 10000000, got '0'"},
        };
        for (String[] c : cases) {
            EffectiveConfig config = load("[logs]\n" + c[0] + "\n");
            ConfigurationException pull = assertThrows(ConfigurationException.class, () -> PullSettings.from(config));
            assertTrue(pull.getMessage().startsWith(c[1]), c[0] + " -> " + pull.getMessage());
            ConfigurationException process =
                    assertThrows(ConfigurationException.class, () -> ProcessConfig.from(config), c[0]);
            assertEquals(pull.getMessage(), process.getMessage());
        }
    }

    @Test
    void bothDaemonsKnowTheOptionsAndPrintThem() throws Exception {
        EffectiveConfig config = load("""
                [logs]
                listen = udp://127.0.0.1:5514
                rcvbuff = 1
                """);
        List<String> unknown = KnownOptions.unknown(config, PullSettings::reads).stream()
                .map(KnownOptions.Unknown::message)
                .toList();
        assertEquals(List.of("[logs] rcvbuff is not an option; did you mean rcvbuf?"), unknown);
        StringWriter out = new StringWriter();
        ConfigPrinter.printDefaults(new PrintWriter(out), PullSettings::reads);
        assertTrue(
                out.toString()
                        .contains("[logs]\n# listen =  (unset)\nmax-series = 100000\npercentiles = 50,90,99,99.9\n"
                                + "# rcvbuf =  (unset)\n"),
                out.toString());
        StringWriter process = new StringWriter();
        ConfigPrinter.printDefaults(new PrintWriter(process), ProcessConfig::reads);
        assertTrue(process.toString().contains("percentiles = 50,90,99,99.9\n"), process.toString());
    }
}
