package io.haproxystats.common.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Counting what a directory holds, for the waits of the tests that watch spools. */
public final class Entries {

    private Entries() {}

    /**
     * Entries directly inside {@code dir}, hidden ones (the daemons' lock files) left out; 0 while
     * it does not exist (or cannot be read).
     */
    public static long count(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * The entries directly inside {@code dir}, sorted, hidden ones (the daemons' lock files) left
     * out; empty while it does not exist.
     */
    public static List<Path> visible(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    /** The names of {@link #visible}. */
    public static List<String> names(Path dir) throws IOException {
        return visible(dir).stream().map(p -> p.getFileName().toString()).toList();
    }
}
