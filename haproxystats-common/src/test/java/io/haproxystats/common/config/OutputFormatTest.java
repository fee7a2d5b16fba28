package io.haproxystats.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code [graphite] format}: dotted by default, tags when asked, anything else an error naming the option. */
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
}
