package io.haproxystats.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** [fleet]: loopback by default, --listen over the file, errors naming the option and the value. */
class FleetSettingsTest {

    @TempDir
    Path tmp;

    private FleetSettings read(String ini, String listen) throws IOException {
        return FleetSettings.from(
                ConfigLoader.load(Files.writeString(tmp.resolve("f.conf"), ini), null), Optional.ofNullable(listen));
    }

    @Test
    void loopbackByDefaultAndTheCommandLineWins() throws IOException {
        assertEquals(new FleetSettings("127.0.0.1", 9211, Optional.empty(), Optional.empty(), ""), read("", null));
        FleetSettings file = read(
                "[fleet]\nlisten = [::1]:8080\nbasic-auth-file = /etc/x.users\ntls-keystore = /etc/x.p12\n"
                        + "tls-keystore-password = secret\n",
                null);
        assertEquals("::1", file.host());
        assertEquals(8080, file.port());
        assertEquals("[::1]:8080", file.listen());
        assertEquals(Optional.of(Path.of("/etc/x.users")), file.basicAuthFile());
        assertEquals(Optional.of(Path.of("/etc/x.p12")), file.tlsKeystore());
        assertEquals("secret", file.tlsKeystorePassword());
        assertEquals(
                "0.0.0.0:0", read("[fleet]\nlisten = [::1]:8080\n", "0.0.0.0:0").listen());
    }

    @Test
    void badValuesNameTheOption() {
        assertEquals(
                "[fleet] listen: expected host:port (or [ipv6]:port, port 0 to 65535), got 'localhost'",
                assertThrows(ConfigurationException.class, () -> read("[fleet]\nlisten = localhost\n", null))
                        .getMessage());
        assertEquals(
                "--listen: expected host:port (or [ipv6]:port, port 0 to 65535), got '127.0.0.1:70000'",
                assertThrows(ConfigurationException.class, () -> read("", "127.0.0.1:70000"))
                        .getMessage());
        assertEquals(
                "[fleet] tls-keystore-password: is set without tls-keystore",
                assertThrows(ConfigurationException.class, () -> read("[fleet]\ntls-keystore-password = x\n", null))
                        .getMessage());
    }
}
