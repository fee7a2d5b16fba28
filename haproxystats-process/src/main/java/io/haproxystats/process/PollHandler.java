package io.haproxystats.process;

import io.haproxystats.common.spool.Directories;
import io.haproxystats.common.spool.FileModes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles one poll directory end to end: read its files, compute its lines, submit them to every
 * dispatcher, and once every dispatcher has handed them on, delete the directory, or move it to
 * quarantine when a file could not be parsed (the valid files' lines are still sent). Until then
 * the directory stays where it is: it is the durable copy, so a crash loses nothing. A batch that
 * a dispatcher could not deliver leaves the directory in place to be retried; one dropped under the
 * overflow rule is deleted (and said so).
 */
final class PollHandler {

    private static final Logger LOG = LoggerFactory.getLogger(PollHandler.class);
    private static final Pattern COMMENT = Pattern.compile("\\s*#.*");

    enum Outcome { DONE, QUARANTINED, DROPPED, RETRY, GONE }

    private final PollComputation computation;
    private final List<Dispatcher> dispatchers;
    private final Supplier<DeliveryStats> deliveryStats;
    private final String selfPrefix;
    private final Executor finisher;
    private final Path quarantineDir;
    private final Optional<Path> excludeFrontends;
    private final Optional<Path> excludeBackends;
    private final long maxFileBytes;

    /**
     * @param deliveryStats the Graphite queue's figures, sent with each poll as self metrics
     * @param selfPrefix    {@code P.haproxystats.}
     * @param finisher      runs the deletes and moves once batches are delivered, off the senders' threads
     */
    PollHandler(PollComputation computation, List<Dispatcher> dispatchers, Supplier<DeliveryStats> deliveryStats,
                String selfPrefix, Executor finisher, Path quarantineDir, Optional<Path> excludeFrontends,
                Optional<Path> excludeBackends, long maxFileBytes) {
        this.computation = computation;
        this.dispatchers = dispatchers;
        this.deliveryStats = deliveryStats;
        this.selfPrefix = selfPrefix;
        this.finisher = finisher;
        this.quarantineDir = quarantineDir;
        this.excludeFrontends = excludeFrontends;
        this.excludeBackends = excludeBackends;
        this.maxFileBytes = maxFileBytes;
    }

    /**
     * Computes and submits a poll; may block while a dispatcher's queue is full (backpressure).
     * The future completes once the directory has been dealt with.
     */
    CompletableFuture<Outcome> handle(Path dir) throws InterruptedException {
        if (!Files.isDirectory(dir)) {
            return CompletableFuture.completedFuture(Outcome.GONE);
        }
        long t0 = System.nanoTime();
        SortedMap<String, PollComputation.Source> files;
        try {
            files = readFiles(dir);
        } catch (IOException e) {
            LOG.error("{}: cannot read: {}; moving it to quarantine", dir, e.toString());
            return CompletableFuture.completedFuture(quarantine(dir));
        }
        long t1 = System.nanoTime();
        PollComputation.Result result = computation.compute(dir.getFileName().toString(), files,
                names(excludeFrontends), names(excludeBackends));
        LOG.debug("{}: listed {} files in {} ms, read and computed {} lines in {} ms", dir.getFileName(),
                files.size(), (t1 - t0) / 1_000_000, result.batch().lines(), (System.nanoTime() - t1) / 1_000_000);
        for (String error : result.errors()) {
            LOG.error("{}: {}", dir, error);
        }
        MetricBatch batch = result.batch();
        DeliveryStats stats = deliveryStats.get();
        batch.add(selfPrefix + "GraphiteQueuedLines", stats.queuedLines());
        batch.add(selfPrefix + "GraphiteDroppedLines", stats.droppedLines());
        batch.add(selfPrefix + "GraphiteReconnects", stats.reconnects());
        List<CompletableFuture<Void>> delivered = new ArrayList<>();
        for (Dispatcher d : dispatchers) {
            try {
                delivered.add(d.submit(batch));
            } catch (Dispatcher.RejectedException e) {
                delivered.add(CompletableFuture.failedFuture(e));
            }
        }
        boolean parseErrors = !result.errors().isEmpty();
        int lines = batch.lines(); // not the batch: its bytes need not stay alive until delivery
        return CompletableFuture.allOf(delivered.toArray(CompletableFuture[]::new))
                .handleAsync((ignored, failure) -> finish(dir, lines, parseErrors, failure), finisher);
    }

    private Outcome finish(Path dir, int lines, boolean parseErrors, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause != null && !(cause instanceof Dispatcher.DroppedException)) {
            LOG.warn("{}: not delivered ({}); it stays in place and is retried", dir.getFileName(), cause.getMessage());
            return Outcome.RETRY;
        }
        if (cause == null) {
            LOG.info("{}: {} lines delivered", dir.getFileName(), lines);
        }
        if (parseErrors) {
            return quarantine(dir);
        }
        try {
            Directories.deleteTree(dir);
        } catch (IOException e) {
            LOG.error("{}: delivered, but cannot remove it: {}", dir, e.toString());
        }
        return cause == null ? Outcome.DONE : Outcome.DROPPED;
    }

    /** Moves a poll, intact, to quarantine-dir for the operator (also used for a poll too large for the heap). */
    Outcome quarantine(Path dir) {
        try {
            FileModes.createDirectories(quarantineDir);
            Path target = quarantineDir.resolve(dir.getFileName());
            for (int i = 1; Files.exists(target); i++) {
                target = quarantineDir.resolve(dir.getFileName() + "." + i);
            }
            Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
            LOG.error("{}: kept for inspection in {}", dir, target);
        } catch (IOException e) {
            LOG.error("{}: cannot move to quarantine {}: {}; leaving it in place", dir, quarantineDir, e.toString());
        }
        return Outcome.QUARANTINED;
    }

    /**
     * The directory's regular files, each read when the computation needs it; a file larger than
     * the puller ever writes ({@code [pull] buffer-limit}) is refused unread, so a stray huge file
     * costs no memory and ends in quarantine with the reason.
     */
    private SortedMap<String, PollComputation.Source> readFiles(Path dir) throws IOException {
        SortedMap<String, PollComputation.Source> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                if (Files.isRegularFile(p)) {
                    files.put(p.getFileName().toString(), () -> {
                        long size = Files.size(p);
                        if (size > maxFileBytes) {
                            throw new IOException(size + " bytes, more than [pull] buffer-limit (" + maxFileBytes
                                    + "): not an answer haproxystats-pull wrote; not read");
                        }
                        return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
                    });
                }
            }
        }
        return files;
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
