package io.haproxystats.process.local;

import io.haproxystats.common.spool.Directories;
import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.compute.PollComputation;
import io.haproxystats.process.delivery.Dispatcher;
import io.haproxystats.process.spool.Quarantine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
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
public final class PollHandler {

    private static final Logger LOG = LoggerFactory.getLogger(PollHandler.class);

    enum Outcome {
        DONE,
        QUARANTINED,
        DROPPED,
        RETRY,
        GONE
    }

    private final PollReader reader;
    private final PollComputation computation;
    private final List<Dispatcher> dispatchers;
    private final Quarantine quarantine;
    private final Executor finisher;
    /**
     * The dispatchers that already have each poll whose delivery is not finished: a retry goes
     * only to the others (a failing local-store made every waiting poll go to Graphite again at
     * every retry: 10 polls sent 21 to 30 times each in 30 s).
     */
    private final Map<Path, Set<Dispatcher>> deliveredTo = new ConcurrentHashMap<>();
    /**
     * A poll larger than a sixteenth of the heap (a large poll is 53 MB of files and 20 MB of lines)
     * is computed only while no other large one is between its computation and its admission to
     * the dispatchers' queues, whose bound counts bytes too: so a backlog of large polls after an
     * outage holds one batch outside the queues, not one per worker.
     */
    public static final long LARGE_POLL = Runtime.getRuntime().maxMemory() / 16;

    private final Semaphore oneLargePoll = new Semaphore(1);
    private final AtomicLong computed = new AtomicLong();

    /** Dispatchers whose last delivery failed: their failures and recoveries are logged once each. */
    private final Set<Dispatcher> failing = ConcurrentHashMap.newKeySet();

    /**
     * @param reader      lists and sizes a poll's files and reads the exclude files
     * @param dispatchers where every poll's lines go; their {@link Dispatcher#stats()} are sent as
     *                    self metrics with each poll
     * @param finisher    runs the deletes and moves once batches are delivered, off the senders' threads
     */
    public PollHandler(
            PollReader reader,
            PollComputation computation,
            List<Dispatcher> dispatchers,
            Quarantine quarantine,
            Executor finisher) {
        this.reader = reader;
        this.computation = computation;
        this.dispatchers = List.copyOf(dispatchers);
        this.quarantine = quarantine;
        this.finisher = finisher;
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
        PollReader.Input input;
        try {
            input = reader.read(dir);
        } catch (IOException e) {
            LOG.error("{}: cannot read: {}; moving it to quarantine", dir, e.getMessage());
            return CompletableFuture.completedFuture(quarantine(dir));
        }
        boolean large = input.bytes() > LARGE_POLL;
        if (large) {
            oneLargePoll.acquire(); // released once its batch is in every dispatcher's queue
        }
        try {
            return computeAndSubmit(dir, input);
        } finally {
            if (large) {
                oneLargePoll.release();
            }
        }
    }

    private CompletableFuture<Outcome> computeAndSubmit(Path dir, PollReader.Input input) throws InterruptedException {
        PollComputation.Result result = computation.compute(
                dir.getFileName().toString(), input.files(), input.excludedFrontends(), input.excludedBackends());
        computed.incrementAndGet();
        LOG.debug(
                "{}: {} files, {} lines",
                dir.getFileName(),
                input.files().size(),
                result.batch().lines());
        for (String error : result.errors()) {
            LOG.error("{}: {}", dir, error);
        }
        MetricBatch batch = result.batch();
        for (Dispatcher d : dispatchers) {
            computation.addDeliveryStats(d.statsName(), d.stats(), batch);
        }
        Set<Dispatcher> already = deliveredTo.getOrDefault(dir, Set.of());
        List<CompletableFuture<Void>> delivered = new ArrayList<>();
        List<Dispatcher> sentTo = new ArrayList<>();
        for (Dispatcher d : dispatchers) {
            if (already.contains(d)) {
                continue;
            }
            delivered.add(submit(d, batch));
            sentTo.add(d);
        }
        boolean parseErrors = !result.errors().isEmpty();
        int lines = batch.lines(); // not the batch: its bytes need not stay alive until delivery
        return CompletableFuture.allOf(delivered.toArray(CompletableFuture[]::new))
                .handleAsync((ignored, failure) -> finish(dir, lines, parseErrors, sentTo, delivered), finisher);
    }

    /** {@link Dispatcher#submit}, a batch it does not take while stopping as a failed future. */
    public static CompletableFuture<Void> submit(Dispatcher d, MetricBatch batch) throws InterruptedException {
        try {
            return d.submit(batch);
        } catch (Dispatcher.RejectedException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Polls computed since start, delivered or not. */
    public long computed() {
        return computed.get();
    }

    private Outcome finish(
            Path dir,
            int lines,
            boolean parseErrors,
            List<Dispatcher> sentTo,
            List<CompletableFuture<Void>> delivered) {
        boolean retry = false;
        boolean dropped = false;
        for (int i = 0; i < sentTo.size(); i++) {
            Dispatcher d = sentTo.get(i);
            Throwable cause = failure(delivered.get(i));
            if (cause == null || cause instanceof Dispatcher.DroppedException) {
                dropped |= cause != null;
                deliveredTo
                        .computeIfAbsent(dir, k -> ConcurrentHashMap.newKeySet())
                        .add(d);
                if (failing.remove(d)) {
                    LOG.info("{}: delivering again", d.name());
                }
            } else {
                retry = true;
                if (failing.add(d)) {
                    LOG.error(
                            "{}: cannot deliver ({}); polls stay in src-dir and are retried for it alone every "
                                    + "[graphite] delay",
                            d.name(),
                            cause.getMessage());
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
    /**
     * Completes once every delivery ended: normally when each was delivered or dropped under its
     * overflow rule (then {@code done} runs), exceptionally ("not delivered") when one failed.
     */
    public static CompletableFuture<Void> whenAllDelivered(List<CompletableFuture<Void>> deliveries, Runnable done) {
        return CompletableFuture.allOf(deliveries.toArray(CompletableFuture[]::new))
                .handle((ignored, failure) -> {
                    for (CompletableFuture<Void> f : deliveries) {
                        Throwable cause = failure(f);
                        if (cause != null && !(cause instanceof Dispatcher.DroppedException)) {
                            throw new IllegalStateException("not delivered: " + cause.getMessage(), cause);
                        }
                    }
                    done.run();
                    return null;
                });
    }

    public static Throwable failure(CompletableFuture<Void> f) {
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
}
