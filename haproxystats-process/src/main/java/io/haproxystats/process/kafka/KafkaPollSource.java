package io.haproxystats.process.kafka;

import io.haproxystats.common.time.Clock;
import io.haproxystats.process.delivery.FanOut;
import io.haproxystats.process.status.LastFinished;
import io.haproxystats.process.status.Progress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code [process] source = kafka}: {@code workers} consumers of the polls topic in the consumer
 * group, each with a worker thread that computes and dispatches the records the consumer fetched.
 * While the worker runs, the consumer pauses its partitions and keeps polling (so the group does
 * not count it gone during a long Graphite outage) and commits a partition's offset only past the
 * records whose lines every dispatcher delivered. A record not delivered is fetched again after
 * {@code [graphite] delay}; a record handed over by a rebalance before its commit is processed again
 * by its new owner. At-least-once: a replayed poll yields identical lines.
 */
public final class KafkaPollSource implements Progress {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaPollSource.class);

    private final Supplier<Consumer<byte[], byte[]>> consumers;
    private final String topic;
    private final RecordHandler handler;
    private final Duration retryDelay;
    private final Clock clock;
    private final List<Thread> threads = new ArrayList<>();
    private final List<ExecutorService> workers = new ArrayList<>();
    private volatile boolean running = true;
    private volatile long stopDeadlineNanos;
    private final LastFinished last;
    private final AtomicLong deliveredRecords = new AtomicLong();
    /**
     * How long no consumer may have had a broker connection before the brokers count as
     * unreachable: longer than a broker's restart or a leader's move.
     */
    static final Duration UNREACHABLE_AFTER = Duration.ofSeconds(15);
    /** The last time a consumer had a connection to a broker (its {@code connection-count} metric above 0). */
    private final AtomicLong lastConnectedNanos = new AtomicLong();
    /** Whether any consumer found its {@code connection-count} metric (without it, reachability is unknown). */
    private volatile boolean connectionsKnown;

    private final AtomicBoolean reachable = new AtomicBoolean(true);
    /** Each consumer's {@code connection-count} metric, once found. */
    private final Map<Consumer<byte[], byte[]>, Metric> connectionMetrics = new ConcurrentHashMap<>();
    /** Each consumer's lag at its last poll: records of its partitions not fetched yet, plus those in hand. */
    private final Map<Integer, Long> lags = new ConcurrentHashMap<>();

    public KafkaPollSource(
            Supplier<Consumer<byte[], byte[]>> consumers,
            String topic,
            RecordHandler handler,
            Duration retryDelay,
            Clock clock) {
        this.consumers = consumers;
        this.topic = topic;
        this.handler = handler;
        this.retryDelay = retryDelay;
        this.clock = clock;
        this.last = new LastFinished(clock);
    }

    /**
     * What is done with each record: its future completes normally once the record's work is
     * delivered (or kept), exceptionally when the record must be fetched again.
     */
    public interface RecordHandler {
        CompletableFuture<Void> handle(ConsumerRecord<byte[], byte[]> record) throws InterruptedException;
    }

    /** The consumers of a real group, one client id each. */
    public static Supplier<Consumer<byte[], byte[]>> kafka(Properties properties) {
        AtomicInteger next = new AtomicInteger();
        return () -> {
            Properties p = new Properties();
            p.putAll(properties);
            p.put("client.id", properties.getProperty("client.id") + "-" + next.getAndIncrement());
            return new KafkaConsumer<>(p);
        };
    }

    /**
     * Makes the consumers here, so that a client that cannot be made (no bootstrap address
     * resolves, a bad client property) fails the start with Kafka's reason, then runs each on its
     * own thread.
     *
     * @throws KafkaException when a consumer cannot be made
     */
    public void start(int count) {
        List<Consumer<byte[], byte[]>> made = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            made.add(consumers.get());
        }
        for (int i = 0; i < count; i++) {
            ExecutorService worker = Executors.newSingleThreadExecutor(
                    Thread.ofPlatform().name("kafka-worker-" + i).factory());
            workers.add(worker);
            int index = i;
            Consumer<byte[], byte[]> consumer = made.get(i);
            threads.add(Thread.ofPlatform().name("kafka-consumer-" + i).start(() -> consume(index, consumer, worker)));
        }
    }

    /** Offsets to commit past the delivered records, and where to fetch again from for the others. */
    record Outcome(Map<TopicPartition, Long> commit, Map<TopicPartition, Long> retry, String lastPoll) {}

    private void consume(int index, Consumer<byte[], byte[]> owned, ExecutorService worker) {
        try (Consumer<byte[], byte[]> consumer = owned) {
            consumer.subscribe(List.of(topic));
            lastConnectedNanos.compareAndSet(0, clock.nanoTime());
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                lags.put(index, lag(consumer) + records.count());
                noteConnections(consumer);
                if (records.isEmpty()) {
                    continue;
                }
                consumer.pause(consumer.assignment());
                Future<Outcome> work = worker.submit(() -> handleAll(records));
                Outcome outcome = awaitPaused(consumer, work);
                if (outcome == null) {
                    break; // stopping with lines undelivered: nothing committed, fetched again later
                }
                commit(consumer, outcome);
                if (!outcome.retry().isEmpty()) {
                    long until = clock.nanoTime() + retryDelay.toNanos();
                    while (running && clock.nanoTime() < until) {
                        pausedPoll(consumer);
                        noteConnections(consumer);
                    }
                }
                consumer.resume(consumer.paused());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (KafkaException e) {
            // The liveness check sees the thread gone and stops the daemon for its service manager.
            LOG.error("kafka consumer of {} failed: {}", topic, e.toString(), e);
        }
    }

    /** Notes, on the consumer's own thread after a poll, whether it has a broker connection now. */
    private void noteConnections(Consumer<byte[], byte[]> consumer) {
        Metric connections = connectionMetrics.computeIfAbsent(consumer, this::connectionCount);
        if (connections != null && connections.metricValue() instanceof Number n && n.doubleValue() > 0) {
            lastConnectedNanos.set(clock.nanoTime());
        }
    }

    /** The consumer's own count of its open broker connections (looked up on its thread), or null. */
    private Metric connectionCount(Consumer<byte[], byte[]> consumer) {
        for (Map.Entry<MetricName, ? extends Metric> e : consumer.metrics().entrySet()) {
            if (e.getKey().name().equals("connection-count")
                    && e.getKey().group().equals("consumer-metrics")) {
                connectionsKnown = true;
                return e.getValue();
            }
        }
        return null;
    }

    /**
     * The status file's {@code kafka} line: unreachable once no consumer had a connection to a
     * broker for {@link #UNREACHABLE_AFTER} (the brokers are down or unreachable: polls wait in
     * the topic, nothing is lost); each change is logged once. Empty before any consumer could
     * tell.
     */
    @Override
    public Optional<Boolean> sourceReachable() {
        if (!connectionsKnown) {
            return Optional.empty();
        }
        boolean now = clock.nanosSince(lastConnectedNanos.get()) <= UNREACHABLE_AFTER.toNanos();
        if (reachable.getAndSet(now) != now) {
            if (now) {
                LOG.info("kafka: the consumers of {} reach the brokers again", topic);
            } else {
                LOG.warn(
                        "kafka: no consumer of {} has reached a broker for {} s (brokers down or unreachable); the"
                                + " polls wait in the topic",
                        topic,
                        UNREACHABLE_AFTER.toSeconds());
            }
        }
        return Optional.of(now);
    }

    /** Records of the consumer's partitions after its position, as its last fetch saw them (0 when unknown). */
    private static long lag(Consumer<byte[], byte[]> consumer) {
        long lag = 0;
        for (TopicPartition tp : consumer.assignment()) {
            lag += consumer.currentLag(tp).orElse(0);
        }
        return lag;
    }

    /** Polls in the topic not yet delivered by this processor's consumers (their partitions only). */
    @Override
    public long waiting() {
        return lags.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Waits for the worker while keeping the group membership; null when stopping cut the wait short. */
    private Outcome awaitPaused(Consumer<byte[], byte[]> consumer, Future<Outcome> work) throws InterruptedException {
        // The worker's end is seen at once (a blocking paused poll saw it only when its 100 ms ran
        // out: a partition then moved one batch of records per 100 ms, about 37 small polls a
        // second); between waits the consumer polls without blocking, ten times a second, which
        // keeps it in the group, and its callbacks and connection count current.
        while (!work.isDone()) {
            if (!running && clock.nanoTime() > stopDeadlineNanos) {
                work.cancel(true);
                return null;
            }
            try {
                work.get(100, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException | CancellationException e) {
                pausedPoll(consumer, Duration.ZERO);
                noteConnections(consumer); // a long Graphite outage keeps the consumer here: still connected
            }
        }
        try {
            return work.get();
        } catch (ExecutionException e) {
            // A handler keeps a record that fails; this is a failure around it. The thread
            // ends, the liveness check stops the daemon, and the records are fetched again at its restart.
            LOG.error("records of {} failed unexpectedly; stopping this consumer", topic, e.getCause());
            return null;
        } catch (CancellationException e) {
            return null;
        }
    }

    /**
     * One poll with every assigned partition paused: heartbeats and rebalances happen, nothing is
     * fetched. A partition assigned during the wait is not paused yet and may return records:
     * they are given back (seek to the first) and the partition paused.
     */
    private static void pausedPoll(Consumer<byte[], byte[]> consumer) {
        pausedPoll(consumer, Duration.ofMillis(100));
    }

    private static void pausedPoll(Consumer<byte[], byte[]> consumer, Duration timeout) {
        ConsumerRecords<byte[], byte[]> early = consumer.poll(timeout);
        for (TopicPartition tp : early.partitions()) {
            consumer.seek(tp, early.records(tp).get(0).offset());
        }
        consumer.pause(consumer.assignment());
    }

    private void commit(Consumer<byte[], byte[]> consumer, Outcome outcome) {
        Set<TopicPartition> assigned = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        outcome.commit().forEach((tp, next) -> {
            if (assigned.contains(tp)) {
                offsets.put(tp, new OffsetAndMetadata(next));
            }
        });
        if (!offsets.isEmpty()) {
            try {
                consumer.commitSync(offsets);
            } catch (KafkaException e) {
                // A rebalance took the partitions meanwhile: their new owner processes the records again.
                LOG.warn(
                        "kafka topic {}: cannot commit {} ({}); those polls will be processed again",
                        topic,
                        offsets,
                        e.toString());
            }
        }
        outcome.retry().forEach((tp, from) -> {
            if (assigned.contains(tp)) {
                consumer.seek(tp, from);
            }
        });
        if (!outcome.lastPoll().isEmpty()) {
            last.finished(outcome.lastPoll());
        }
    }

    /** Runs on a worker: every record handled in order, then waits for their delivery. */
    private Outcome handleAll(ConsumerRecords<byte[], byte[]> records) throws InterruptedException {
        Map<TopicPartition, Long> commit = new HashMap<>();
        Map<TopicPartition, Long> retry = new HashMap<>();
        String lastPoll = "";
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
            List<CompletableFuture<Void>> delivered = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : list) {
                delivered.add(handler.handle(r));
            }
            for (int i = 0; i < list.size(); i++) {
                Throwable failure = FanOut.failure(await(delivered.get(i)));
                if (failure != null) {
                    retry.put(tp, list.get(i).offset());
                    break;
                }
                commit.put(tp, list.get(i).offset() + 1);
                deliveredRecords.incrementAndGet();
                lastPoll = PollRecord.pollName(list.get(i));
            }
        }
        return new Outcome(commit, retry, lastPoll);
    }

    /** Waits for a delivery to end either way (the future's own outcome says which). */
    private static CompletableFuture<Void> await(CompletableFuture<Void> f) throws InterruptedException {
        try {
            f.get();
        } catch (ExecutionException | CancellationException ignored) {
            // read by the caller from the future
        }
        return f;
    }

    /** Stops fetching; work in hand is given {@code drain} to be delivered and committed. */
    public void stop(Duration drain) {
        stopDeadlineNanos = clock.nanoTime() + drain.toNanos();
        running = false;
    }

    /** Records delivered (or kept in quarantine) since start. */
    public long delivered() {
        return deliveredRecords.get();
    }

    public void join() throws InterruptedException {
        for (Thread t : threads) {
            t.join();
        }
        for (ExecutorService w : workers) {
            w.shutdownNow();
            w.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public LastFinished last() {
        return last;
    }

    @Override
    public boolean allAlive() {
        return threads.stream().allMatch(Thread::isAlive);
    }
}
