package io.haproxystats.process;

import io.haproxystats.common.spool.Directories;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
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
    private final Quarantine quarantine;
    private final Optional<Path> excludeFrontends;
    private final Optional<Path> excludeBackends;
    private final long maxFileBytes;
    private final long maxHeapBytes;
    /**
     * The dispatchers that already have each poll whose delivery is not finished: a retry goes
     * only to the others (a failing local-store made every waiting poll go to Graphite again at
     * every retry: 10 polls sent 21 to 30 times each in 30 s).
     */
    private final Map<Path, Set<Dispatcher>> deliveredTo = new ConcurrentHashMap<>();
    /** Dispatchers whose last delivery failed: their failures and recoveries are logged once each. */
    private final Set<Dispatcher> failing = ConcurrentHashMap.newKeySet();

    /**
     * @param deliveryStats the Graphite queue's figures, sent with each poll as self metrics
     * @param selfPrefix    {@code P.haproxystats.}
     * @param finisher      runs the deletes and moves once batches are delivered, off the senders' threads
     */
    PollHandler(PollComputation computation, List<Dispatcher> dispatchers, Supplier<DeliveryStats> deliveryStats,
                String selfPrefix, Executor finisher, Quarantine quarantine, Optional<Path> excludeFrontends,
                Optional<Path> excludeBackends, long maxFileBytes) {
        this.computation = computation;
        this.dispatchers = dispatchers;
        this.deliveryStats = deliveryStats;
        this.selfPrefix = selfPrefix;
        this.finisher = finisher;
        this.quarantine = quarantine;
        this.excludeFrontends = excludeFrontends;
        this.excludeBackends = excludeBackends;
        this.maxFileBytes = maxFileBytes;
        this.maxHeapBytes = Runtime.getRuntime().maxMemory();
    }

    /**
     * Computes and submits a poll; may block while a dispatcher's queue is full (backpressure).
     * The future completes once the directory has been dealt with.
     */
    CompletableFuture<Outcome> handle(Path dir) throws InterruptedException {
        if (!Files.isDirectory(dir)) {
            deliveredTo.remove(dir);
            return CompletableFuture.completedFuture(Outcome.GONE);
        }
        long t0 = System.nanoTime();
        SortedMap<String, PollComputation.Source> files;
        try {
            files = readFiles(dir);
        } catch (IOException e) {
            LOG.error("{}: cannot read: {}; moving it to quarantine", dir, e.getMessage());
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
        Set<Dispatcher> already = deliveredTo.getOrDefault(dir, Set.of());
        List<CompletableFuture<Void>> delivered = new ArrayList<>();
        List<Dispatcher> sentTo = new ArrayList<>();
        for (Dispatcher d : dispatchers) {
            if (already.contains(d)) {
                continue;
            }
            CompletableFuture<Void> f;
            try {
                f = d.submit(batch);
            } catch (Dispatcher.RejectedException e) {
                f = CompletableFuture.failedFuture(e);
            }
            delivered.add(f);
            sentTo.add(d);
        }
        boolean parseErrors = !result.errors().isEmpty();
        int lines = batch.lines(); // not the batch: its bytes need not stay alive until delivery
        return CompletableFuture.allOf(delivered.toArray(CompletableFuture[]::new))
                .handleAsync((ignored, failure) -> finish(dir, lines, parseErrors, sentTo, delivered), finisher);
    }

    private Outcome finish(Path dir, int lines, boolean parseErrors, List<Dispatcher> sentTo,
                           List<CompletableFuture<Void>> delivered) {
        boolean retry = false;
        boolean dropped = false;
        for (int i = 0; i < sentTo.size(); i++) {
            Dispatcher d = sentTo.get(i);
            Throwable cause = failure(delivered.get(i));
            if (cause == null || cause instanceof Dispatcher.DroppedException) {
                dropped |= cause != null;
                deliveredTo.computeIfAbsent(dir, k -> ConcurrentHashMap.newKeySet()).add(d);
                if (failing.remove(d)) {
                    LOG.info("{}: delivering again", d.name());
                }
            } else {
                retry = true;
                if (failing.add(d)) {
                    LOG.error("{}: cannot deliver ({}); polls stay in src-dir and are retried for it alone every "
                            + "[graphite] delay", d.name(), cause.getMessage());
                } else {
                    LOG.debug("{}: {} not delivered ({})", d.name(), dir.getFileName(), cause.getMessage());
                }
            }
        }
        if (retry) {
            return Outcome.RETRY;
        }
        deliveredTo.remove(dir);
        if (!dropped) {
            LOG.info("{}: {} lines delivered", dir.getFileName(), lines);
        }
        if (parseErrors) {
            return quarantine(dir);
        }
        try {
            Directories.deleteAtomically(dir);
        } catch (IOException e) {
            LOG.error("{}: delivered, but cannot remove it: {}", dir, e.toString());
        }
        return dropped ? Outcome.DROPPED : Outcome.DONE;
    }

    /** The failure of a completed future, unwrapped; null when it completed normally. */
    private static Throwable failure(CompletableFuture<Void> f) {
        try {
            f.join();
            return null;
        } catch (CompletionException | CancellationException e) {
            return e.getCause() != null ? e.getCause() : e;
        }
    }

    /** Moves a poll, intact, to quarantine-dir for the operator. */
    Outcome quarantine(Path dir) {
        deliveredTo.remove(dir);
        try {
            Path target = quarantine.keep(dir);
            LOG.error("{}: kept for inspection in {}", dir, target);
        } catch (IOException e) {
            LOG.error("{}: cannot move to quarantine {}: {}; leaving it in place", dir, quarantine.dir(), e.toString());
        }
        return Outcome.QUARANTINED;
    }

    /**
     * The directory's regular files, each read when the computation needs it; a file larger than
     * the puller ever writes ({@code [pull] buffer-limit}) is refused unread, so a stray huge file
     * costs no memory and ends in quarantine with the reason. The poll as a whole is sized against
     * the heap before anything is read ({@link #heapCheck}).
     */
    private SortedMap<String, PollComputation.Source> readFiles(Path dir) throws IOException {
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
                        return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
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
        long largest = sizes.stream().sorted(Comparator.reverseOrder()).limit(group)
                .mapToLong(Long::longValue).sum();
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
