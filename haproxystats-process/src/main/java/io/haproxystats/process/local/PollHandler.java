package io.haproxystats.process.local;

import io.haproxystats.common.spool.Directories;
import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.compute.PollBudget;
import io.haproxystats.process.compute.PollComputation;
import io.haproxystats.process.delivery.FanOut;
import io.haproxystats.process.spool.Quarantine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles one poll directory end to end: read its files, compute its lines, submit them to every
 * dispatcher, and once every dispatcher has handed them on, delete the directory, or move it to
 * quarantine when a file could not be parsed (the valid files' lines are still sent). Until then
 * the directory stays where it is: it is the durable copy, so a crash loses nothing. A batch that
 * a dispatcher could not deliver leaves the directory in place to be retried (for that dispatcher
 * alone: {@link FanOut}); one dropped under the overflow rule is deleted (and said so).
 */
public final class PollHandler {

    private static final Logger LOG = LoggerFactory.getLogger(PollHandler.class);

    public enum Outcome {
        DONE,
        QUARANTINED,
        DROPPED,
        RETRY,
        GONE
    }

    private final PollReader reader;
    private final PollComputation computation;
    private final FanOut fanOut;
    private final Quarantine quarantine;
    private final Executor finisher;
    private final PollBudget budget = new PollBudget();
    private final AtomicLong computed = new AtomicLong();

    /**
     * @param reader   lists and sizes a poll's files and reads the exclude files
     * @param fanOut   where every poll's lines go; the dispatchers' self metrics are sent with each poll
     * @param finisher runs the deletes and moves once batches are delivered, off the senders' threads
     */
    public PollHandler(
            PollReader reader, PollComputation computation, FanOut fanOut, Quarantine quarantine, Executor finisher) {
        this.reader = reader;
        this.computation = computation;
        this.fanOut = fanOut;
        this.quarantine = quarantine;
        this.finisher = finisher;
    }

    /**
     * Computes and submits a poll; may block while a dispatcher's queue is full (backpressure).
     * The future completes once the directory has been dealt with.
     */
    public CompletableFuture<Outcome> handle(Path dir) throws InterruptedException {
        if (!Files.isDirectory(dir)) {
            fanOut.forget(dir);
            return CompletableFuture.completedFuture(Outcome.GONE);
        }
        PollReader.Input input;
        try {
            input = reader.read(dir);
        } catch (IOException e) {
            LOG.error("{}: cannot read: {}; moving it to quarantine", dir, e.getMessage());
            return CompletableFuture.completedFuture(quarantine(dir));
        }
        return budget.admit(input.bytes(), () -> computeAndSubmit(dir, input));
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
        fanOut.addStats(computation.paths(), batch);
        boolean parseErrors = !result.errors().isEmpty();
        int lines = batch.lines(); // not the batch: its bytes need not stay alive until delivery
        return fanOut.submit(dir, batch)
                .thenApplyAsync(delivery -> finish(dir, lines, parseErrors, delivery), finisher);
    }

    /** Polls computed since start, delivered or not. */
    public long computed() {
        return computed.get();
    }

    private Outcome finish(Path dir, int lines, boolean parseErrors, FanOut.Delivery delivery) {
        if (!delivery.complete()) {
            return Outcome.RETRY;
        }
        if (!delivery.dropped()) {
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
        return delivery.dropped() ? Outcome.DROPPED : Outcome.DONE;
    }

    /** Moves a poll, intact, to quarantine-dir for the operator. */
    public Outcome quarantine(Path dir) {
        fanOut.forget(dir);
        try {
            Path target = quarantine.keep(dir);
            LOG.error("{}: kept for inspection in {}", dir, target);
        } catch (IOException e) {
            LOG.error("{}: cannot move to quarantine {}: {}; leaving it in place", dir, quarantine.dir(), e.toString());
        }
        return Outcome.QUARANTINED;
    }
}
