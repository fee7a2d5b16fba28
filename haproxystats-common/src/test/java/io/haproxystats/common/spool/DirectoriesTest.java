package io.haproxystats.common.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deleting a poll directory without ever showing it half deleted under its own name. */
class DirectoriesTest {

    @TempDir
    Path src;

    private Path poll(String name, String... files) throws Exception {
        Path dir = Files.createDirectory(src.resolve(name));
        for (String f : files) {
            Files.writeString(dir.resolve(f), "x");
        }
        return dir;
    }

    private List<String> names() throws Exception {
        try (Stream<Path> s = Files.list(src)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aDeletedPollLeavesNothingBehind() throws Exception {
        Path dir = poll("1700000000", "a_info", "a_stat");
        Directories.deleteAtomically(dir);
        assertEquals(List.of(), names());
        Directories.deleteAtomically(dir); // already gone: fine
    }

    @Test
    void aDeleteInterruptedAfterTheRenameLeavesOnlyAHiddenNameThatTheNextStartClears() throws Exception {
        poll("1700000000", "a_info");
        // What a crash between the rename and the delete leaves: the hidden name, partly emptied.
        poll(Directories.DELETING_PREFIX + "1700000010", "b_stat");
        assertEquals(1, Directories.countSubdirectories(src), "a delete in progress is not a waiting poll");
        assertEquals(1, Directories.deleteLeftovers(src));
        assertEquals(List.of("1700000000"), names());
    }

    @Test
    void aLeftoverOfTheSameNameDoesNotStopTheNextDelete() throws Exception {
        poll(Directories.DELETING_PREFIX + "1700000000", "old");
        Path dir = poll("1700000000", "a_info");
        Directories.deleteAtomically(dir);
        assertFalse(Files.exists(dir));
        assertEquals(List.of(), names());
    }
}
