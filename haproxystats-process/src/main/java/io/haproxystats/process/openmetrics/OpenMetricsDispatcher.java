package io.haproxystats.process.openmetrics;

import io.haproxystats.common.config.OpenMetricsSettings;
import io.haproxystats.common.time.Clock;
import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.compute.SeriesMapping;
import io.haproxystats.process.delivery.Dispatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenMetrics endpoint's side of delivery: every batch (a load balancer's poll, a cluster's
 * window) replaces that load balancer's (cluster's) {@link Snapshot}. {@link #submit} only
 * remembers the batch and returns a completed future: the snapshot is built on this dispatcher's
 * own thread, latest batch per key wins, so neither building nor scraping ever holds up a poll,
 * and a poll is never kept on disk for this endpoint (what a scraper misses is gone, as it would
 * be from HAProxy's own exporter). Snapshots older than the staleness bound (3 pull intervals; a
 * cluster's, 3 windows plus grace) are not served: a silent load balancer drops out.
 */
public final class OpenMetricsDispatcher implements Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(OpenMetricsDispatcher.class);

    private final SeriesMapping mapping;
    private final OpenMetricsSettings settings;
    private final Clock clock;
    private final Map<String, MetricBatch> pending = new ConcurrentHashMap<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final ExecutorService builder = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("openmetrics-snapshots").factory());
    private final Map<String, Snapshot> latest = new ConcurrentHashMap<>();
    private volatile MetricsEndpoint endpoint;

    public OpenMetricsDispatcher(SeriesMapping mapping, OpenMetricsSettings settings, Clock clock) {
        this.mapping = mapping;
        this.settings = settings;
        this.clock = clock;
    }

    /** The endpoint that serves these snapshots (its figures are this dispatcher's self metrics). */
    void servedBy(MetricsEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public String name() {
        return "openmetrics";
    }

    @Override
    public CompletableFuture<Void> submit(MetricBatch batch) {
        String key = batch.timestamp().startsWith("cluster-")
                ? batch.timestamp().substring(0, batch.timestamp().lastIndexOf('-'))
                : batch.source();
        pending.put(key, batch);
        if (scheduled.compareAndSet(false, true)) {
            builder.execute(this::build);
        }
        return CompletableFuture.completedFuture(null);
    }

    private void build() {
        scheduled.set(false);
        for (Iterator<Map.Entry<String, MetricBatch>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, MetricBatch> e = it.next();
            MetricBatch batch = e.getValue();
            if (!pending.remove(e.getKey(), batch)) {
                continue; // a newer one came in: built at the next turn
            }
            try {
                Snapshot s = Snapshot.of(batch, mapping, clock.nanoTime());
                latest.merge(s.key(), s, (old, now) -> now.builtAt() >= old.builtAt() ? now : old);
            } catch (RuntimeException ex) {
                LOG.error("openmetrics: cannot build the snapshot of {}: {}", e.getKey(), ex.toString());
            }
        }
    }

    /** The snapshots still fresh, in key order; stale ones are forgotten. */
    List<Snapshot> fresh() {
        long now = clock.nanoTime();
        Map<String, Snapshot> sorted = new java.util.TreeMap<>(latest);
        List<Snapshot> out = new ArrayList<>(sorted.size());
        for (Snapshot s : sorted.values()) {
            Duration bound = s.cluster() ? settings.clusterStale() : settings.stale();
            if (now - s.builtAt() > bound.toNanos()) {
                latest.remove(s.key(), s);
            } else {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public Map<String, Number> selfMetrics() {
        MetricsEndpoint e = endpoint;
        if (e == null) {
            return Map.of();
        }
        Map<String, Number> m = new LinkedHashMap<>();
        m.put("OpenMetricsScrapes", e.scrapes());
        m.put("OpenMetricsLastScrapeSeconds", e.lastScrapeSeconds());
        return m;
    }

    @Override
    public void close(Duration drain) throws InterruptedException {
        MetricsEndpoint e = endpoint;
        if (e != null) {
            e.close();
        }
        builder.shutdownNow();
        builder.awaitTermination(drain.toMillis(), TimeUnit.MILLISECONDS);
    }
}
