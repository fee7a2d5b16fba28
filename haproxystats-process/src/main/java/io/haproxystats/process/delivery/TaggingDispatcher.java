package io.haproxystats.process.delivery;

import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.compute.SeriesMapping;
import io.haproxystats.process.status.DeliveryStats;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * {@code [graphite] format = tags}: a dispatcher that hands its inner one every batch with its
 * paths as Graphite 1.1 tagged series ({@link SeriesMapping}), where lines leave. Every role's
 * lines (a local poll's, a central record's, a cluster window's read from the lines topic) reach
 * the dispatchers through {@link FanOut}, so wrapping the Graphite, local-store and Kafka
 * dispatchers here tags them all with one table, and the processor's own paths (the values topic
 * the cluster aggregation reads, the OpenMetrics snapshot) stay dotted. Everything but
 * {@link #submit} is the inner dispatcher's.
 */
public final class TaggingDispatcher implements Dispatcher {

    private final Dispatcher inner;
    private final Tagger tagger;

    /** @param tagger shared by every dispatcher of a processor: a batch is tagged once, not once each */
    public TaggingDispatcher(Dispatcher inner, Tagger tagger) {
        this.inner = inner;
        this.tagger = tagger;
    }

    /**
     * The tagged form of a batch, computed once for all the dispatchers a {@link FanOut} hands the
     * same batch to (one after the other, on one thread): the last batch and its tagged form are
     * remembered, weakly, so that neither outlives its delivery.
     */
    public static final class Tagger {
        private final SeriesMapping mapping;
        private WeakReference<MetricBatch> lastIn = new WeakReference<>(null);
        private WeakReference<MetricBatch> lastOut = new WeakReference<>(null);

        public Tagger(SeriesMapping mapping) {
            this.mapping = mapping;
        }

        synchronized MetricBatch tagged(MetricBatch batch) {
            MetricBatch out = lastIn.get() == batch ? lastOut.get() : null;
            if (out == null) {
                out = mapping.tagged(batch);
                lastIn = new WeakReference<>(batch);
                lastOut = new WeakReference<>(out);
            }
            return out;
        }
    }

    /** The dispatcher that sends the tagged lines. */
    public Dispatcher inner() {
        return inner;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public CompletableFuture<Void> submit(MetricBatch batch) throws InterruptedException, RejectedException {
        return inner.submit(tagger.tagged(batch));
    }

    @Override
    public String statsName() {
        return inner.statsName();
    }

    @Override
    public DeliveryStats stats() {
        return inner.stats();
    }

    @Override
    public java.util.Map<String, Number> selfMetrics() {
        return inner.selfMetrics();
    }

    @Override
    public void stopWaiting() {
        inner.stopWaiting();
    }

    @Override
    public void close(Duration drain) throws InterruptedException {
        inner.close(drain);
    }
}
