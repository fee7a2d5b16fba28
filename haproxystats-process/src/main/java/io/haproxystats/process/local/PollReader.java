package io.haproxystats.process.local;

import io.haproxystats.common.spool.PollFiles;
import io.haproxystats.process.compute.PollBudget;
import io.haproxystats.process.compute.PollComputation;
import io.haproxystats.process.spool.ExcludeLists;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a poll's computation reads from disk: the poll directory's files, listed and sized at once
 * and each read when the computation needs it, and the exclude files' names, read again at each
 * poll so an edit takes effect at the next one. Refuses, before reading anything, a file larger
 * than the puller ever writes and a poll too large for the heap.
 */
public final class PollReader {

    /** A poll's files (name to content, in name order), their size in all, and the names to leave out. */
    record Input(
            SortedMap<String, PollComputation.Source> files,
            long bytes,
            Set<String> excludedFrontends,
            Set<String> excludedBackends) {}

    private final Optional<Path> excludeFrontends;
    private final Optional<Path> excludeBackends;
    private final long maxFileBytes;
    private final long maxHeapBytes;

    /**
     * @param maxFileBytes {@code [pull] buffer-limit}: no answer the puller wrote is larger
     */
    public PollReader(Optional<Path> excludeFrontends, Optional<Path> excludeBackends, long maxFileBytes) {
        this.excludeFrontends = excludeFrontends;
        this.excludeBackends = excludeBackends;
        this.maxFileBytes = maxFileBytes;
        this.maxHeapBytes = Runtime.getRuntime().maxMemory();
    }

    /** The poll in {@code dir}; an IOException when it cannot be listed or is too large for the heap. */
    Input read(Path dir) throws IOException {
        List<Long> sizes = new ArrayList<>();
        SortedMap<String, PollComputation.Source> files = files(dir, sizes);
        long bytes = sizes.stream().mapToLong(Long::longValue).sum();
        return new Input(files, bytes, ExcludeLists.names(excludeFrontends), ExcludeLists.names(excludeBackends));
    }

    /**
     * The directory's regular files, each read when the computation needs it; a file larger than
     * the puller ever writes ({@code [pull] buffer-limit}) is refused unread, so a stray huge file
     * costs no memory and ends in quarantine with the reason. The poll as a whole is sized against
     * the heap before anything is read ({@link PollBudget#heapCheck}).
     */
    private SortedMap<String, PollComputation.Source> files(Path dir, List<Long> sizes) throws IOException {
        SortedMap<String, PollComputation.Source> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                BasicFileAttributes attributes = Files.readAttributes(p, BasicFileAttributes.class);
                if (attributes.isRegularFile()) {
                    long size = attributes.size(); // one stat a file: the heap check and the bound use it
                    sizes.add(size);
                    long limit = PollFiles.maxBytes(p.getFileName().toString(), maxFileBytes);
                    files.put(p.getFileName().toString(), () -> {
                        if (size > limit) {
                            throw new IOException(size + " bytes, more than [pull] buffer-limit (" + limit
                                    + "): not an answer haproxystats-pull wrote; not read");
                        }
                        return read(p, size);
                    });
                }
            }
        }
        String tooLarge = PollBudget.heapCheck(sizes, PollComputation.GROUP, maxHeapBytes);
        if (tooLarge != null) {
            throw new IOException(tooLarge);
        }
        return files;
    }

    /** Files up to this size are read into a buffer each reading thread keeps; larger ones into their own. */
    private static final int KEPT_BUFFER = 16 << 20;

    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[1 << 20]);

    /**
     * The file's bytes, in the reading thread's reusable buffer when it fits (a poll's files are
     * parsed as soon as they are read, a few at a time: one buffer a thread serves them all and
     * saves the heap a copy of every file). A file that grew since it was sized is read whole.
     */
    static PollComputation.Answer read(Path p, long size) throws IOException {
        if (size >= KEPT_BUFFER) {
            return PollComputation.Answer.of(Files.readAllBytes(p));
        }
        byte[] buffer = BUFFER.get();
        if (buffer.length <= size) {
            buffer = new byte[(int) Math.min(KEPT_BUFFER, Math.max(size + 1, 2L * buffer.length))];
            BUFFER.set(buffer);
        }
        try (FileChannel channel = FileChannel.open(p)) {
            ByteBuffer into = ByteBuffer.wrap(buffer);
            while (into.hasRemaining() && channel.read(into) >= 0) {
                // until the end of the file, or the buffer is full
            }
            if (!into.hasRemaining()) {
                return PollComputation.Answer.of(Files.readAllBytes(p)); // it grew past the buffer
            }
            return new PollComputation.Answer(buffer, 0, into.position());
        }
    }
}
