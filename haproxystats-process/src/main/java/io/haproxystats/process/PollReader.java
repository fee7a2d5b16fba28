package io.haproxystats.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a poll's computation reads from disk: the poll directory's files, listed and sized at once
 * and each read when the computation needs it, and the exclude files' names, read again at each
 * poll so an edit takes effect at the next one. Refuses, before reading anything, a file larger
 * than the puller ever writes and a poll too large for the heap.
 */
final class PollReader {

    private static final Logger LOG = LoggerFactory.getLogger(PollReader.class);
    private static final Pattern COMMENT = Pattern.compile("\\s*#.*");

    /** A poll's files (name to content, in name order) and the names to leave out. */
    record Input(
            SortedMap<String, PollComputation.Source> files,
            Set<String> excludedFrontends,
            Set<String> excludedBackends) {}

    private final Optional<Path> excludeFrontends;
    private final Optional<Path> excludeBackends;
    private final long maxFileBytes;
    private final long maxHeapBytes;

    /**
     * @param maxFileBytes {@code [pull] buffer-limit}: no answer the puller wrote is larger
     */
    PollReader(Optional<Path> excludeFrontends, Optional<Path> excludeBackends, long maxFileBytes) {
        this.excludeFrontends = excludeFrontends;
        this.excludeBackends = excludeBackends;
        this.maxFileBytes = maxFileBytes;
        this.maxHeapBytes = Runtime.getRuntime().maxMemory();
    }

    /** The poll in {@code dir}; an IOException when it cannot be listed or is too large for the heap. */
    Input read(Path dir) throws IOException {
        return new Input(files(dir), names(excludeFrontends), names(excludeBackends));
    }

    /**
     * The directory's regular files, each read when the computation needs it; a file larger than
     * the puller ever writes ({@code [pull] buffer-limit}) is refused unread, so a stray huge file
     * costs no memory and ends in quarantine with the reason. The poll as a whole is sized against
     * the heap before anything is read ({@link #heapCheck}).
     */
    private SortedMap<String, PollComputation.Source> files(Path dir) throws IOException {
        SortedMap<String, PollComputation.Source> files = new TreeMap<>();
        List<Long> sizes = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                BasicFileAttributes attributes = Files.readAttributes(p, BasicFileAttributes.class);
                if (attributes.isRegularFile()) {
                    long size = attributes.size(); // one stat a file: the heap check and the bound use it
                    sizes.add(size);
                    files.put(p.getFileName().toString(), () -> {
                        if (size > maxFileBytes) {
                            throw new IOException(size + " bytes, more than [pull] buffer-limit (" + maxFileBytes
                                    + "): not an answer haproxystats-pull wrote; not read");
                        }
                        return Files.readAllBytes(p);
                    });
                }
            }
        }
        String tooLarge = heapCheck(sizes, PollComputation.GROUP, maxHeapBytes);
        if (tooLarge != null) {
            throw new IOException(tooLarge);
        }
        return files;
    }

    /**
     * How much of the heap a poll may take, decided from its file sizes before anything is read:
     * the files together at most half the heap, and the {@code group} largest (parsed at once, each
     * held as bytes, then text, then rows: about 4 times its size) at most the whole heap. A poll
     * beyond it would exhaust the heap, and the JVM exits on an OutOfMemoryError (restarting into
     * the same poll, forever); it goes to quarantine instead. Returns the reason, or null.
     */
    static String heapCheck(List<Long> sizes, int group, long maxHeap) {
        long total = sizes.stream().mapToLong(Long::longValue).sum();
        long largest = sizes.stream()
                .sorted(Comparator.reverseOrder())
                .limit(group)
                .mapToLong(Long::longValue)
                .sum();
        if (total > maxHeap / 2 || largest > maxHeap / 4) {
            return "too large for the heap: " + sizes.size() + " files, " + total + " bytes (the " + group
                    + " largest " + largest + "), with -Xmx " + maxHeap + " bytes (at most half the heap in "
                    + "all, a quarter for the " + group + " largest); not read. Raise -Xmx with HAPROXYSTATS_JAVA_OPTS "
                    + "and move it back into src-dir to process it";
        }
        return null;
    }

    /** Names in an exclude file: one per line, '#' comment lines skipped; read at each poll. */
    static Set<String> names(Optional<Path> file) {
        Set<String> names = new HashSet<>();
        if (file.isEmpty()) {
            return names;
        }
        try {
            for (String line : Files.readAllLines(file.get(), StandardCharsets.UTF_8)) {
                if (!COMMENT.matcher(line).matches() && !line.isBlank()) {
                    names.add(line.strip());
                }
            }
        } catch (IOException e) {
            LOG.error("cannot read exclude file {}: {}; excluding nothing", file.get(), e.toString());
        }
        return names;
    }
}
