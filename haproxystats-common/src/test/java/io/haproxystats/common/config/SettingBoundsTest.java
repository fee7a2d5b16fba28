package io.haproxystats.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Settings that were accepted and then broke the daemon at run time: path-forming options that
 * made malformed Graphite lines, and durations that overflowed (a dead sender thread, an
 * ArithmeticException at the first poll). Each is now a configuration error naming the option.
 */
class SettingBoundsTest {

    static final String NOT_ONE_COMPONENT = "must be one Graphite path component (no dots, whitespace or other "
            + "Unicode spaces, control or format characters, '/' or ';'), ";

    @TempDir
    Path tmp;

    private String processError(String ini) throws IOException {
        EffectiveConfig config = ConfigLoader.load(Files.writeString(tmp.resolve("c.conf"), ini), null);
        return assertThrows(ConfigurationException.class, () -> ProcessConfig.from(config))
                .getMessage();
    }

    private String pullError(String ini) throws IOException {
        EffectiveConfig config = ConfigLoader.load(Files.writeString(tmp.resolve("c.conf"), ini), null);
        return assertThrows(ConfigurationException.class, () -> PullSettings.from(config))
                .getMessage();
    }

    @Test
    void namespaceMustBeDotSeparatedComponentsWithoutSpaces() throws IOException {
        assertEquals(
                "[graphite] namespace: " + NOT_ONE_COMPONENT + "got 'load balancers'",
                processError("[graphite]\nnamespace = load balancers\n"));
        assertEquals(
                "[graphite] namespace: must be a Graphite path such as 'loadbalancers', got an empty value",
                processError("[graphite]\nnamespace =\n"));
        assertEquals(
                "[graphite] namespace: must be dot-separated Graphite path components, none empty, got '.lb'",
                processError("[graphite]\nnamespace = .lb\n"));
        // A hierarchy is fine, as in the original.
        EffectiveConfig ok = ConfigLoader.load(
                Files.writeString(tmp.resolve("ok.conf"), "[graphite]\nnamespace = lb.eu-west\n"), null);
        assertEquals("lb.eu-west", ProcessConfig.from(ok).graphite().namespace());
    }

    @Test
    void groupNamesAndTheGroupNamespaceAreOneComponentEach() throws IOException {
        assertEquals(
                "[graphite] group-namespace: " + NOT_ONE_COMPONENT + "got 'a\\x09b'",
                processError("[graphite]\ngroup-namespace = a\tb\ngroup-namespace-double-writes = false\n"
                        + "[backend-groups]\nweb = ^web\n"));
        assertEquals(
                "[backend-groups] my group: " + NOT_ONE_COMPONENT + "got 'my group'",
                processError("[graphite]\ngroup-namespace = g\ngroup-namespace-double-writes = false\n"
                        + "[backend-groups]\nmy group = ^web\n"));
    }

    /**
     * carbon splits a line on every Unicode space (Python's str.split), and whisper's file names
     * stop at 255 bytes: a no-break space, a zero-width space or a 201-byte component in a path
     * option is refused at start, not found later as series that never appear (issue 27, item 5).
     */
    @Test
    void unicodeSpacesFormatCharactersAndOverlongComponentsAreRefused() throws IOException {
        for (String bad : new String[] {"\u00a0", "\u2007", "\u202f", "\u2028", "\u200b", "\ufeff", "\u3000"}) {
            String escaped = String.format("\\u%04x", (int) bad.charAt(0));
            assertEquals(
                    "[graphite] namespace: " + NOT_ONE_COMPONENT + "got 'lb" + escaped + "eu'",
                    processError("[graphite]\nnamespace = lb" + bad + "eu\n"),
                    escaped);
        }
        assertEquals(
                "[graphite] namespace: a Graphite path component is at most 200 bytes of UTF-8 (whisper stores "
                        + "it as a file name), got 202 bytes",
                processError("[graphite]\nnamespace = lb." + "é".repeat(101) + "\n"));
        EffectiveConfig ok = ConfigLoader.load(
                Files.writeString(tmp.resolve("ok.conf"), "[graphite]\nnamespace = " + "é".repeat(100) + "\n"), null);
        assertEquals("é".repeat(100), ProcessConfig.from(ok).graphite().namespace());
    }

    @Test
    void durationsAreBoundedToADay() throws IOException {
        assertEquals(
                "[graphite] connect-timeout: must be a number of seconds from 0.001 to 86400, got '2200000'",
                processError("[graphite]\nconnect-timeout = 2200000\n"));
        assertEquals(
                "[pull] pull-interval: must be a number of seconds from 0.1 to 86400, got '1e10'",
                pullError("[pull]\npull-interval = 1e10\n"));
        assertEquals(
                "[pull] pull-timeout: must be a number of seconds from 0 to 86400, got '1e12'",
                pullError("[pull]\npull-timeout = 1e12\n"));
        assertEquals(
                "[graphite] backoff: must be a number of seconds from 1 to 100, got '1e300'",
                processError("[graphite]\nbackoff = 1e300\n"));
    }
}
