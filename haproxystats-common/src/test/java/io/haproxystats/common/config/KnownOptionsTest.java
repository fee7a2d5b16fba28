package io.haproxystats.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Misspelled options are found with the closest known name; free-form sections are left alone. */
class KnownOptionsTest {

    @TempDir
    Path tmp;

    @Test
    void typosAreFoundWithTheirClosestNameAndHelperKeysAndGroupNamesAreNot() throws Exception {
        Path conf = Files.writeString(tmp.resolve("c.conf"), """
                [DEFAULT]
                base = /srv/hs
                [pull]
                pull-intervall = 5
                [process]
                workrs = 2
                [graphite]
                prefix_hostname = true
                colour = blue
                group-namespace = g
                group-namespace-double-writes = false
                [backend-groups]
                anything = ^web
                [unknown-section]
                x = 1
                """);
        EffectiveConfig config = ConfigLoader.load(conf, null);
        List<String> process = KnownOptions.unknown(config, ProcessConfig::reads).stream()
                .map(KnownOptions.Unknown::message)
                .toList();
        assertEquals(
                List.of(
                        "[graphite] colour is not an option of this section (it is ignored)",
                        "[graphite] prefix_hostname is not an option; did you mean prefix-hostname?",
                        "[process] workrs is not an option; did you mean workers?"),
                process);
        List<String> pull = KnownOptions.unknown(config, PullSettings::reads).stream()
                .map(KnownOptions.Unknown::message)
                .toList();
        assertEquals(List.of("[pull] pull-intervall is not an option; did you mean pull-interval?"), pull);
    }

    @Test
    void theDistanceIsLevenshtein() {
        assertEquals(0, KnownOptions.distance("delay", "delay"));
        assertEquals(1, KnownOptions.distance("pull-intervall", "pull-interval"));
        assertEquals(3, KnownOptions.distance("kitten", "sitting"));
    }
}
