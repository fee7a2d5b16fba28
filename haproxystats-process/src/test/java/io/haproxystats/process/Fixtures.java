package io.haproxystats.process;

import io.haproxystats.common.config.ConfigLoader;
import io.haproxystats.common.config.ProcessConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Test access to the real HAProxy captures copied from shared/fixtures into the test resources. */
final class Fixtures {

    private Fixtures() {
    }

    static Path small() {
        try {
            return Path.of(Fixtures.class.getResource("/fixtures/small").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static ProcessConfig smallConfig() {
        return ProcessConfig.from(ConfigLoader.load(small().resolve("haproxystats.conf"), null));
    }

    /** File name to content for one poll directory. */
    static Map<String, String> files(Path pollDir) {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(pollDir)) {
            for (Path p : s.toList()) {
                files.put(p.getFileName().toString(), Files.readString(p, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }
}
