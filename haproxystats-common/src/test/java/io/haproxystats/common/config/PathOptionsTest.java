package io.haproxystats.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A path option the file system cannot name (a NUL byte: the fuzzer's first finding, where
 * Path.of threw InvalidPathException out of the loader) is a configuration error naming the option.
 */
class PathOptionsTest {

    @TempDir
    Path tmp;

    private String error(String ini, boolean pull) throws IOException {
        Path conf = Files.writeString(tmp.resolve("c.conf"), ini);
        EffectiveConfig config = ConfigLoader.load(conf, null);
        return assertThrows(ConfigurationException.class, () -> {
                    if (pull) {
                        PullSettings.from(config);
                    } else {
                        ProcessConfig.from(config);
                    }
                })
                .getMessage();
    }

    @Test
    void aNulByteInAPathIsANamedConfigurationError() throws IOException {
        assertEquals(
                "[paths] base-dir: not a usable path: Nul character not allowed",
                error("[paths]\nbase-dir = /var/lib/hs\0x\n", true));
        assertEquals(
                "[paths] base-dir: not a usable path: Nul character not allowed",
                error("[paths]\nbase-dir = /var/lib/hs\0x\n", false));
        assertEquals(
                "[process] exclude-backends: not a usable path: Nul character not allowed",
                error("[process]\nexclude-backends = /etc/x\0y\n", false));
        assertEquals(
                "[pull] socket-dir: not a usable path: Nul character not allowed",
                error("[pull]\nsocket-dir = /run/\0y\n", true));
    }
}
