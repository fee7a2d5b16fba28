package io.haproxystats.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.spool.PollFiles.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code [pull] commands} (new): what each poll asks every socket. */
class PullCommandsOptionTest {

    @TempDir
    Path tmp;

    private List<Command> commands(String value) throws IOException {
        String ini = "[pull]\nsocket-dir = /run/haproxy\n" + (value == null ? "" : "commands = " + value + "\n");
        Path conf = Files.writeString(tmp.resolve("c.conf"), ini);
        return PullSettings.from(ConfigLoader.load(conf, null)).commands();
    }

    @Test
    void defaultIsInfoAndStatAndServersStateCanBeAdded() throws IOException {
        assertEquals(List.of(Command.INFO, Command.STAT), commands(null));
        assertEquals(List.of(Command.INFO, Command.STAT, Command.SERVERS_STATE), commands("info  stat servers-state"));
        assertEquals(List.of(Command.SERVERS_STATE, Command.STAT, Command.INFO), commands("servers-state stat info"));
    }

    @Test
    void unknownRepeatedOrMissingCommandsAreNamedErrors() {
        ConfigurationException unknown =
                assertThrows(ConfigurationException.class, () -> commands("info stat disable"));
        assertTrue(
                unknown.getMessage().contains("[pull] commands")
                        && unknown.getMessage().contains("'disable'"),
                unknown.getMessage());
        ConfigurationException twice = assertThrows(ConfigurationException.class, () -> commands("info stat stat"));
        assertTrue(twice.getMessage().contains("listed twice"), twice.getMessage());
        ConfigurationException missing = assertThrows(ConfigurationException.class, () -> commands("stat"));
        assertTrue(missing.getMessage().contains("must list info and stat"), missing.getMessage());
    }
}
