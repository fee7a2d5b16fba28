package io.haproxystats.common.spool;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.stream.Stream;

/** Small file-system helpers both daemons use on their spool directories. */
public final class Directories {

    private Directories() {}

    /** Deletes a directory tree; a tree already gone is fine. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw exc;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null && !(exc instanceof NoSuchFileException)) {
                    throw exc;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Prefix of the hidden name a directory takes while {@link #deleteAtomically} removes it. */
    public static final String DELETING_PREFIX = ".deleting-";

    /**
     * Removes a directory so that nobody ever sees it partly deleted under its own name: it is
     * first renamed, atomically, to {@code .deleting-<name>} beside it, then deleted. A poll
     * directory half deleted under its name would be processed again after a crash with the files
     * left, and send different values for the same timestamps (seen: a processor killed during a
     * delete). A crash between the two steps leaves only the hidden name, which
     * {@link #deleteLeftovers} clears. A directory already gone is fine.
     */
    public static void deleteAtomically(Path dir) throws IOException {
        Path hidden = dir.resolveSibling(DELETING_PREFIX + dir.getFileName());
        deleteTree(hidden); // a leftover of the same name, after a crash
        try {
            Files.move(dir, hidden, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return;
        }
        deleteTree(hidden);
    }

    /** Deletes what an interrupted {@link #deleteAtomically} left in {@code parent}; returns how many. */
    public static int deleteLeftovers(Path parent) throws IOException {
        int n = 0;
        try (Stream<Path> s = Files.list(parent)) {
            for (Path p : s.filter(p -> p.getFileName().toString().startsWith(DELETING_PREFIX))
                    .toList()) {
                deleteTree(p);
                n++;
            }
        }
        return n;
    }

    /** The directories directly inside {@code dir}, sorted by name. */
    public static List<Path> subdirectories(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    /** How many directories {@code dir} holds directly, hidden ones (a delete in progress) not counted. */
    public static int countSubdirectories(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return (int) s.filter(p -> !p.getFileName().toString().startsWith(".") && Files.isDirectory(p))
                    .count();
        }
    }

    /** {@link #countSubdirectories}, -1 when {@code dir} cannot be listed (a status report goes on). */
    public static long waiting(Path dir) {
        try {
            return countSubdirectories(dir);
        } catch (IOException e) {
            return -1;
        }
    }

    /** The device number of the file system holding {@code path} (for same-file-system checks). */
    public static long device(Path path) throws IOException {
        return ((Number) Files.getAttribute(path, "unix:dev")).longValue();
    }
}
