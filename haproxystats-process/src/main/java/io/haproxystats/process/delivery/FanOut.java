package io.haproxystats.process.delivery;

import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.compute.MetricPaths;
import io.haproxystats.process.status.DeliveryStats;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One batch handed to every dispatcher, and the wait for all of them: the one way every role
 * (local polls, central records, cluster lines) delivers. It remembers, per poll (a key: a poll's
 * directory, a record's coordinates), the dispatchers that already delivered it, so a retry of the
 * poll goes only to the others: a failing local store must not make Graphite receive the same poll
 * again at every retry (seen: 10 polls sent 21 to 30 times each in 30 s). A dispatcher's failure is
 * logged once (ERROR) and its recovery once (INFO), not at every retry.
 *
 * <p>What is remembered is bounded ({@value #MAX_TRACKED} polls, oldest forgotten first): a poll
 * forgotten while a dispatcher still fails is sent again to every dispatcher at its next retry,
 * at worst a duplicate, never a loss.
 */
public final class FanOut {

    private static final Logger LOG = LoggerFactory.getLogger(FanOut.class);
    static final int MAX_TRACKED = 10_000;

    private final List<Dispatcher> dispatchers;
    private final String retryRule;
    /** Per poll whose delivery is not finished: the dispatchers that have it. Access synchronized. */
    private final Map<Object, Set<Dispatcher>> deliveredTo = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Object, Set<Dispatcher>> eldest) {
            return size() > MAX_TRACKED;
        }
    };
    /** Dispatchers whose last delivery failed: their failures and recoveries are logged once each. */
    private final Set<Dispatcher> failing = ConcurrentHashMap.newKeySet();

    /**
     * @param retryRule how a poll not delivered is retried, for the failure's log line (e.g. "polls
     *                  stay in src-dir and are retried for it alone every [graphite] delay")
     */
    public FanOut(List<Dispatcher> dispatchers, String retryRule) {
        this.dispatchers = List.copyOf(dispatchers);
        this.retryRule = retryRule;
    }

    public List<Dispatcher> dispatchers() {
        return dispatchers;
    }

    /** How a poll's delivery ended: every dispatcher delivered it (or dropped it), and whether one dropped it. */
    public record Delivery(boolean complete, boolean dropped) {}

    /**
     * Adds every dispatcher's self metrics ({@code <name>QueuedLines}, {@code DroppedLines},
     * {@code Reconnects}, and its {@link Dispatcher#selfMetrics}) to a poll's batch, under the
     * paths of the poll's load balancer.
     */
    public void addStats(MetricPaths paths, MetricBatch batch) {
        for (Dispatcher d : dispatchers) {
            d.selfMetrics().forEach((metric, value) -> {
                if (value instanceof Double || value instanceof Float) {
                    batch.add(paths.self(metric), value.doubleValue());
                } else {
                    batch.add(paths.self(metric), value.longValue());
                }
            });
            String name = d.statsName();
            if (name.isEmpty()) {
                continue;
            }
            DeliveryStats stats = d.stats();
            batch.add(paths.self(name + "QueuedLines"), stats.queuedLines());
            batch.add(paths.self(name + "DroppedLines"), stats.droppedLines());
            batch.add(paths.self(name + "Reconnects"), stats.reconnects());
        }
    }

    /**
     * Hands the batch to every dispatcher that has not delivered this poll yet (may block while a
     * queue is full: backpressure). The future never fails: it completes once every dispatcher
     * ended, saying whether the poll is delivered everywhere; if not, the poll is remembered for its
     * retry, else forgotten.
     */
    public CompletableFuture<Delivery> submit(Object poll, MetricBatch batch) throws InterruptedException {
        Set<Dispatcher> already;
        synchronized (deliveredTo) {
            already = Set.copyOf(deliveredTo.getOrDefault(poll, Set.of()));
        }
        List<Dispatcher> sentTo = new ArrayList<>();
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (Dispatcher d : dispatchers) {
            if (!already.contains(d)) {
                sentTo.add(d);
                futures.add(submit(d, batch));
            }
        }
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .handle((ignored, failure) -> settle(poll, sentTo, futures));
    }

    /**
     * {@link #submit} for a consumer that commits: completes normally once every dispatcher
     * delivered (or dropped) the poll, then runs {@code delivered}; exceptionally ("not delivered")
     * when one did not, so the record is fetched again.
     */
    public CompletableFuture<Void> submitOrFail(Object poll, MetricBatch batch, Runnable delivered)
            throws InterruptedException {
        return submit(poll, batch).thenApply(d -> {
            if (!d.complete()) {
                throw new IllegalStateException("not delivered to every dispatcher; fetched again");
            }
            delivered.run();
            return null;
        });
    }

    /** Forgets a poll (gone, kept in quarantine): a later poll of the same key starts afresh. */
    public void forget(Object poll) {
        synchronized (deliveredTo) {
            deliveredTo.remove(poll);
        }
    }

    private Delivery settle(Object poll, List<Dispatcher> sentTo, List<CompletableFuture<Void>> futures) {
        boolean complete = true;
        boolean dropped = false;
        for (int i = 0; i < sentTo.size(); i++) {
            Dispatcher d = sentTo.get(i);
            Throwable cause = failure(futures.get(i));
            if (cause == null || cause instanceof Dispatcher.DroppedException) {
                dropped |= cause != null;
                synchronized (deliveredTo) {
                    deliveredTo
                            .computeIfAbsent(poll, k -> Collections.newSetFromMap(new ConcurrentHashMap<>()))
                            .add(d);
                }
                if (failing.remove(d)) {
                    LOG.info("{}: delivering again", d.name());
                }
            } else {
                complete = false;
                if (failing.add(d)) {
                    LOG.error("{}: cannot deliver ({}); {}", d.name(), cause.getMessage(), retryRule);
                } else {
                    LOG.debug("{}: {} not delivered ({})", d.name(), poll, cause.getMessage());
                }
            }
        }
        if (complete) {
            forget(poll);
        }
        return new Delivery(complete, dropped);
    }

    /** {@link Dispatcher#submit}, a batch it does not take while stopping as a failed future. */
    private static CompletableFuture<Void> submit(Dispatcher d, MetricBatch batch) throws InterruptedException {
        try {
            return d.submit(batch);
        } catch (Dispatcher.RejectedException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The failure of a completed future, unwrapped; null when it completed normally. */
    public static Throwable failure(CompletableFuture<?> f) {
        try {
            f.join();
            return null;
        } catch (CompletionException | CancellationException e) {
            return e.getCause() != null ? e.getCause() : e;
        }
    }
}
