package io.haproxystats.process.spool;

import io.haproxystats.common.spool.Directories;
import io.haproxystats.common.spool.FileModes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code quarantine-dir}: poll directories kept intact for the operator (a file that could not be
 * parsed, a poll too large for the heap), bounded in count and bytes. Each move checks the bounds
 * and removes the oldest polls (by poll time, then by name) beyond them, one WARN line each; the
 * poll just moved is never removed, so the latest evidence is always there. Without the bound one
 * socket that answers a bad field sent 29 polls (58 MB) a minute to quarantine, forever.
 */
public final class Quarantine {

    private static final Logger LOG = LoggerFactory.getLogger(Quarantine.class);

    private final Path dir;
    private final int maxPolls;
    private final long maxBytes;

    public Quarantine(Path dir, int maxPolls, long maxBytes) {
        this.dir = dir;
        this.maxPolls = maxPolls;
        this.maxBytes = maxBytes;
    }

    public Path dir() {
        return dir;
    }

    /** Moves a poll directory, intact, into quarantine; returns where it went (or throws). */
    public synchronized Path keep(Path poll) throws IOException {
        FileModes.createDirectories(dir);
        Path target = dir.resolve(poll.getFileName());
        for (int i = 1; Files.exists(target); i++) {
            target = dir.resolve(poll.getFileName() + "." + i);
        }
        Files.move(poll, target, StandardCopyOption.ATOMIC_MOVE);
        bound(target);
        return target;
    }

    /**
     * Keeps files that never were a poll directory here (a record of the polls topic) as one:
     * written under a hidden name, then renamed into place, so a reader never sees half of it.
     * Returns where it went.
     */
    public synchronized Path keepFiles(String name, SortedMap<String, byte[]> files) throws IOException {
        FileModes.createDirectories(dir);
        Path staging = dir.resolve(".keeping-" + name);
        Directories.deleteTree(staging);
        FileModes.createDirectories(staging);
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Files.write(staging.resolve(f.getKey()), f.getValue());
        }
        Path target = dir.resolve(name);
        for (int i = 1; Files.exists(target); i++) {
            target = dir.resolve(name + "." + i);
        }
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        bound(target);
        return target;
    }

    private record Kept(Path path, long epoch, long bytes) {}

    /** Removes the oldest kept polls while there are more than maxPolls or maxBytes of them. */
    private void bound(Path newest) throws IOException {
        List<Kept> kept = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p ->
                            Files.isDirectory(p) && !p.getFileName().toString().startsWith("."))
                    .toList()) {
                kept.add(new Kept(p, epoch(p.getFileName().toString()), size(p)));
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        kept.sort(Comparator.comparingLong(Kept::epoch)
                .thenComparing(k -> k.path().getFileName().toString()));
        long bytes = kept.stream().mapToLong(Kept::bytes).sum();
        int count = kept.size();
        for (Kept k : kept) {
            if (count <= maxPolls && bytes <= maxBytes) {
                break;
            }
            if (k.path().equals(newest)) {
                continue;
            }
            Directories.deleteTree(k.path());
            count--;
            bytes -= k.bytes();
            LOG.warn(
                    "quarantine {} over its bound (quarantine-max-polls {}, quarantine-max-bytes {}): removed the "
                            + "oldest poll {} ({} bytes)",
                    dir,
                    maxPolls,
                    maxBytes,
                    k.path().getFileName(),
                    k.bytes());
        }
    }

    /** The poll time of a kept name ({@code 1700000000} or {@code 1700000000.2}); names that are not, first. */
    private static long epoch(String name) {
        int dot = name.indexOf('.');
        String digits = dot < 0 ? name : name.substring(0, dot);
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }

    private static long size(Path poll) throws IOException {
        try (Stream<Path> files = Files.walk(poll)) {
            long total = 0;
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                total += Files.size(f);
            }
            return total;
        }
    }
}
