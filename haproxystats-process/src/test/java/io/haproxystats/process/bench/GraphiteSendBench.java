package io.haproxystats.process.bench;

import io.haproxystats.common.config.Connect;
import io.haproxystats.common.config.GraphiteSettings;
import io.haproxystats.common.testing.CarbonRelay;
import io.haproxystats.common.testing.LineSink;
import io.haproxystats.common.time.Clock;
import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.delivery.DeliveryPolicy;
import io.haproxystats.process.delivery.QueueingDispatcher;
import io.haproxystats.process.graphite.GraphiteConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Graphite send rate to a real local carbon-c-relay (bench/graphite-send-bench.sh runs it):
 * BATCHES batches of LINES lines of realistic length through the QueueingDispatcher over a GraphiteConnection. Reports the
 * dispatcher's rate (every batch flushed into the socket) and the end-to-end rate (every line
 * written to the relay's file). With {@code -Dbench.sink=plain} (BENCH_SINK=plain in the script)
 * the peer is an in-process TCP reader that counts newlines instead of the relay. Not a test: no
 * assertion, figures for docs/benchmarks.md.
 */
public final class GraphiteSendBench {

    public static void main(String[] args) throws Exception {
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int lines = args.length > 1 ? Integer.parseInt(args[1]) : 178_055;
        Path dir = Files.createTempDirectory("graphite-bench");
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
        boolean plain = "plain".equals(System.getProperty("bench.sink"));
        try (Sink relay = plain ? new PlainSink() : new RelaySink(CarbonRelay.start(dir))) {
            GraphiteSettings settings = new GraphiteSettings(
                    "127.0.0.1",
                    relay.port(),
                    new Connect(3, Duration.ofSeconds(1), Duration.ofMillis(100), 2),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(1),
                    "bench",
                    false,
                    false,
                    Integer.MAX_VALUE,
                    Optional.empty());
            QueueingDispatcher dispatcher = new QueueingDispatcher(
                    new GraphiteConnection(settings, timer, Clock.system()),
                    DeliveryPolicy.of(settings),
                    Clock.system(),
                    () -> false);
            List<MetricBatch> prepared = new ArrayList<>();
            for (int b = 0; b < batches; b++) {
                MetricBatch batch = new MetricBatch(Integer.toString(1_700_000_000 + b));
                for (int i = 0; i < lines; i++) {
                    batch.add(
                            "bench.lb-01.haproxy.backend.backend_" + (i % 250) + ".server.server_" + (i % 20)
                                    + ".metric_" + (i % 37),
                            (long) i * 7);
                }
                prepared.add(batch);
            }
            dispatcher.submit(prepared.get(0)).get(); // warm-up and connect
            long t0 = System.nanoTime();
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (MetricBatch b : prepared.subList(1, prepared.size())) {
                done.add(dispatcher.submit(b));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
            long flushed = System.nanoTime() - t0;
            long total = (long) batches * lines;
            while (relay.lines() < total) {
                Thread.sleep(50);
            }
            long received = System.nanoTime() - t0;
            long sent = (long) (batches - 1) * lines;
            System.out.printf(
                    "graphite send: %d lines in %d batches; dispatcher flushed %.0f lines/s; "
                            + "%s at %.0f lines/s (end to end)%n",
                    sent,
                    batches - 1,
                    sent / (flushed / 1e9),
                    plain ? "the in-process reader received them" : "relay wrote them to its file",
                    sent / (received / 1e9));
            dispatcher.close(Duration.ofSeconds(5));
        } finally {
            timer.shutdownNow();
        }
    }

    /** Where the lines go: the relay, or an in-process reader. */
    private interface Sink extends AutoCloseable {
        int port();

        long lines() throws IOException;

        @Override
        void close() throws Exception;
    }

    private record RelaySink(CarbonRelay relay) implements Sink {
        public int port() {
            return relay.port();
        }

        public long lines() throws IOException {
            return relay.lines().size();
        }

        public void close() throws Exception {
            relay.close();
        }
    }

    /** Accepts connections and counts the newlines it reads, discarding the bytes. */
    private static final class PlainSink implements Sink {
        private final AtomicLong newlines = new AtomicLong();
        private final LineSink server = LineSink.chunks((buffer, n) -> {
            long count = 0;
            for (int i = 0; i < n; i++) {
                if (buffer[i] == '\n') {
                    count++;
                }
            }
            newlines.addAndGet(count);
        });

        PlainSink() throws IOException {}

        public int port() {
            return server.port();
        }

        public long lines() {
            return newlines.get();
        }

        public void close() throws Exception {
            server.close();
        }
    }
}
