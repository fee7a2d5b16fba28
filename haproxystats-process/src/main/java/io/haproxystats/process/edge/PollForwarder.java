package io.haproxystats.process.edge;

import io.haproxystats.common.spool.Directories;
import io.haproxystats.common.spool.PollFiles;
import io.haproxystats.common.time.Clock;
import io.haproxystats.process.kafka.KafkaClients;
import io.haproxystats.process.kafka.PollContainer;
import io.haproxystats.process.kafka.PollRecord;
import io.haproxystats.process.spool.Quarantine;
import io.haproxystats.process.spool.WorkQueue;
import io.haproxystats.process.status.DeliveryStats;
import io.haproxystats.process.status.Destination;
import io.haproxystats.process.status.LastFinished;
import io.haproxystats.process.status.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code [process] mode = forward}: each complete poll directory of src-dir, oldest first, becomes
 * one record of the polls topic (key: this load balancer's name; value: a zstd-compressed {@link PollContainer};
 * headers: format version, poll name, cluster). One record is in flight at a time and the
 * directory is deleted only once the broker acknowledged it ({@code acks=all}), so src-dir stays
 * the durable buffer through a Kafka outage and polls reach the topic in order. While Kafka cannot
 * take them the polls wait, up to the puller's queue-size (the puller then suspends: nothing is
 * dropped here). A poll over the message limit cannot be sent as it is: it is kept in quarantine
 * with the limit and how to raise it, and the next poll goes on. The record's time is this
 * machine's clock when it is produced, never the poll's own (in its header): brokers refuse a time
 * too far ahead of theirs, and a poll dated ahead must not stop the polls behind it.
 */
public final class PollForwarder implements Progress, Destination {

    private static final Logger LOG = LoggerFactory.getLogger(PollForwarder.class);

    private final Path src;
    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final String host;
    private final Optional<String> cluster;
    private final long maxFileBytes;
    private final Quarantine quarantine;
    private final WorkQueue wakeups;
    private final Clock clock;
    private final Duration ackTimeout;
    private final Duration retryDelay;
    private final Supplier<Optional<String>> topicLimit;
    private volatile boolean running = true;
    private volatile boolean reachable = true;
    private volatile Thread thread;
    private final LastFinished last;
    private final AtomicLong forwarded = new AtomicLong();

    /**
     * @param wakeups    the watcher's announcements: only a signal that src-dir changed
     * @param ackTimeout longest wait for the broker's acknowledgement of one record before the
     *                   poll counts as not sent (the producer's own delivery timeout is shorter)
     * @param retryDelay pause after a failed send before the oldest poll is tried again
     * @param topicLimit the topic's max.message.bytes, asked of the brokers when a poll is over it
     */
    public PollForwarder(
            Path src,
            Producer<byte[], byte[]> producer,
            String topic,
            String host,
            String cluster,
            long maxFileBytes,
            Quarantine quarantine,
            WorkQueue wakeups,
            Clock clock,
            Duration ackTimeout,
            Duration retryDelay,
            Supplier<Optional<String>> topicLimit) {
        this.src = src;
        this.producer = producer;
        this.topic = topic;
        this.host = host;
        this.cluster = Optional.ofNullable(cluster);
        this.maxFileBytes = maxFileBytes;
        this.quarantine = quarantine;
        this.wakeups = wakeups;
        this.clock = clock;
        this.ackTimeout = ackTimeout;
        this.retryDelay = retryDelay;
        this.topicLimit = topicLimit;
        this.last = new LastFinished(clock);
    }

    public void start() {
        thread = Thread.ofPlatform().name("kafka-forwarder").start(this::loop);
    }

    private void loop() {
        while (running) {
            try {
                // Announcements only wake the loop; each stays claimed until its poll is dealt
                // with (forward), so the watcher's rescan does not count it as missed.
                Path announced = wakeups.poll(500, TimeUnit.MILLISECONDS);
                while (announced != null) {
                    announced = wakeups.poll(0, TimeUnit.MILLISECONDS);
                }
                if (!forwardWaiting()) {
                    clock.sleep(retryDelay);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // A bug must not lose a poll: they stay in src-dir and the loop goes on.
                LOG.error("forwarding failed unexpectedly; the polls stay in {}", src, e);
            }
        }
    }

    /** Sends every waiting poll, oldest first; false when one could not be sent (it and the rest wait). */
    boolean forwardWaiting() throws InterruptedException {
        List<Path> polls;
        try {
            polls = waitingPolls(src);
        } catch (IOException e) {
            LOG.error("cannot list src-dir {}: {}", src, e.toString());
            return false;
        }
        for (Path poll : polls) {
            if (!running) {
                return true;
            }
            if (!forward(poll)) {
                return false;
            }
        }
        return true;
    }

    /** Poll directories of src-dir (hidden names are deletes in progress), oldest first: by name length, then name. */
    static List<Path> waitingPolls(Path src) throws IOException {
        return Directories.subdirectories(src).stream()
                .filter(p -> !p.getFileName().toString().startsWith("."))
                .sorted(Comparator.comparingInt(
                                (Path p) -> p.getFileName().toString().length())
                        .thenComparing(p -> p.getFileName().toString()))
                .toList();
    }

    /** Sends one poll and deletes it once acknowledged; false when it was not sent and stays. */
    private boolean forward(Path poll) throws InterruptedException {
        String name = poll.getFileName().toString();
        PollContainer.Compressed container;
        try {
            container = PollContainer.encodeCompressed(files(poll));
        } catch (IOException | IllegalArgumentException e) {
            LOG.error("{}: cannot read it as a poll: {}; moving it to quarantine", poll, e.getMessage());
            keep(poll);
            return true;
        }
        // The record's time is this machine's clock now, not the poll's: a broker refuses a time
        // more than log.message.timestamp.after.max.ms (1 h by default in Kafka 4) ahead of its own,
        // and a poll dated ahead (the clock jumped, then came back) would be refused at every try.
        // The poll's time travels in its header, where the central processors read it.
        ProducerRecord<byte[], byte[]> record = new PollRecord(host, name, container.size(), cluster)
                .toProducerRecord(topic, clock.millis(), container.value());
        try {
            awaitAck(poll, producer.send(record));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RecordTooLargeException) {
                LOG.error(
                        "{}: {} bytes compressed ({} before), over the message limit of topic {} (max.message.bytes "
                                + "= {}): {} Raise the topic's max.message.bytes (the broker's message.max.bytes by "
                                + "default) and, above {} bytes, [kafka] client.max.request.size; the poll is kept in "
                                + "quarantine",
                        poll,
                        container.value().length,
                        container.size(),
                        topic,
                        topicLimit.get().orElse("unknown: the topic's configuration cannot be read"),
                        e.getCause().getMessage(),
                        KafkaClients.MAX_REQUEST_BYTES);
                keep(poll);
                return true;
            }
            return failed(poll, e.getCause());
        } catch (TimeoutException e) {
            return failed(poll, e);
        } catch (KafkaException e) {
            return failed(poll, e); // thrown by send itself (metadata not available in max.block.ms)
        }
        if (!reachable) {
            LOG.info("kafka topic {}: delivering again", topic);
            reachable = true;
        }
        try {
            Directories.deleteAtomically(poll);
        } catch (IOException e) {
            LOG.error("{}: sent, but cannot remove it: {}", poll, e.toString());
        }
        wakeups.done(poll);
        forwarded.incrementAndGet();
        LOG.info(
                "{}: forwarded to {} ({} bytes, {} before compression)",
                name,
                topic,
                container.value().length,
                container.size());
        last.finished(name);
        return true;
    }

    /** How long an acknowledgement may take before the outage is said (the wait goes on). */
    static final Duration SLOW_ACK = Duration.ofSeconds(10);

    /**
     * Waits for the broker's acknowledgement up to the ack timeout. The producer keeps trying
     * meanwhile (its delivery timeout); after {@link #SLOW_ACK} the outage is logged and reported
     * in the status file, so that an operator sees it while the polls wait.
     */
    private void awaitAck(Path poll, Future<RecordMetadata> ack)
            throws ExecutionException, TimeoutException, InterruptedException {
        long deadline = clock.nanoTime() + ackTimeout.toNanos();
        while (true) {
            try {
                ack.get(Math.min(SLOW_ACK.toNanos(), Math.max(1, deadline - clock.nanoTime())), TimeUnit.NANOSECONDS);
                return;
            } catch (TimeoutException e) {
                if (clock.nanoTime() >= deadline) {
                    throw e;
                }
                failed(poll, new TimeoutException("no acknowledgement for " + SLOW_ACK.toSeconds() + " s"));
            }
        }
    }

    private boolean failed(Path poll, Throwable cause) {
        if (reachable && cause instanceof InvalidTimestampException) {
            // Stamped with this machine's clock now, so it is this clock the brokers refuse: every
            // poll would be refused alike until it is corrected, and then this one goes first.
            LOG.error(
                    "kafka topic {}: the brokers refuse the time of {}'s record, this machine's clock now ({}): "
                            + "is it ahead of theirs by more than their log.message.timestamp.after.max.ms? ({}); "
                            + "polls stay in src-dir and are sent in order once the clocks agree",
                    topic,
                    poll.getFileName(),
                    clock.instant(),
                    cause.getMessage());
            reachable = false;
        }
        if (reachable) {
            LOG.error(
                    "kafka topic {}: cannot deliver {} ({}); polls stay in src-dir and are sent in order once it "
                            + "takes them",
                    topic,
                    poll.getFileName(),
                    reason(cause));
            reachable = false;
        }
        return false;
    }

    /**
     * Why a send failed, as an operator needs it: with no connection to any broker (the producer's
     * own {@code connection-count}), that the brokers cannot be reached, not Kafka's "Topic ... not
     * present in metadata" (what a producer without metadata says when it never reached a broker).
     */
    private String reason(Throwable cause) {
        for (Map.Entry<MetricName, ? extends Metric> m : producer.metrics().entrySet()) {
            if (m.getKey().name().equals("connection-count")
                    && m.getKey().group().equals("producer-metrics")
                    && m.getValue().metricValue() instanceof Number n
                    && n.doubleValue() == 0) {
                String message = String.valueOf(cause.getMessage());
                return "cannot reach any broker of [kafka] bootstrap-servers"
                        + (message.contains("not present in metadata") ? "" : "; " + cause);
            }
        }
        return cause.toString();
    }

    private void keep(Path poll) {
        try {
            LOG.error("{}: kept for inspection in {}", poll, quarantine.keep(poll));
        } catch (IOException e) {
            LOG.error("{}: cannot move to quarantine {}: {}", poll, quarantine.dir(), e.toString());
        }
        wakeups.done(poll);
        last.finished(poll.getFileName().toString());
    }

    /** The poll's files, by name, each read when the container is built; a file larger than any answer the puller writes is refused unread. */
    private SortedMap<String, PollContainer.Content> files(Path poll) throws IOException {
        SortedMap<String, PollContainer.Content> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(poll)) {
            for (Path f : s.toList()) {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                if (!a.isRegularFile()) {
                    continue;
                }
                long limit = PollFiles.maxBytes(f.getFileName().toString(), maxFileBytes);
                if (a.size() > limit) {
                    throw new IOException(f.getFileName() + ": " + a.size() + " bytes, more than [pull] buffer-limit ("
                            + limit + "): not an answer haproxystats-pull wrote");
                }
                int length = (int) a.size();
                files.put(f.getFileName().toString(), new PollContainer.Content() {
                    @Override
                    public int length() {
                        return length;
                    }

                    @Override
                    public InputStream open() throws IOException {
                        return Files.newInputStream(f);
                    }
                });
            }
        }
        return files;
    }

    public long forwarded() {
        return forwarded.get();
    }

    public void stop() {
        running = false;
    }

    public void join() throws InterruptedException {
        Thread t = thread;
        if (t != null) {
            t.join();
        }
    }

    @Override
    public LastFinished last() {
        return last;
    }

    @Override
    public boolean allAlive() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    @Override
    public long waiting() {
        return Directories.waiting(src);
    }

    @Override
    public String statusKey() {
        return "kafka";
    }

    @Override
    public boolean reachable() {
        return reachable;
    }

    @Override
    public String peerWarning() {
        return "";
    }

    @Override
    public DeliveryStats stats() {
        return DeliveryStats.NONE;
    }

    @Override
    public boolean senderAlive() {
        return allAlive();
    }
}
