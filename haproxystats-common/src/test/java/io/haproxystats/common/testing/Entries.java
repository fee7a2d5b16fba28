package io.haproxystats.common.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Counting what a directory holds, for the waits of the tests that watch spools. */
public final class Entries {

    private Entries() {
    }

    /** Entries directly inside {@code dir}; 0 while it does not exist (or cannot be read). */
    public static long count(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        } catch (IOException e) {
            return 0;
        }
    }
}
