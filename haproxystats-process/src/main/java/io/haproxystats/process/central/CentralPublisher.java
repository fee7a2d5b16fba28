package io.haproxystats.process.central;

import io.haproxystats.common.time.Clock;
import io.haproxystats.process.kafka.ClusterValues;
import io.haproxystats.process.kafka.FleetRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a central processor publishes beside the lines: a poll's per-load-balancer values to the
 * cluster values topic (key the cluster, the poll's epoch in the value), a future that completes once
 * the brokers acknowledged it, so that the poll's record is committed only then (a window must not
 * miss a member); and its servers' states to the compacted servers-state topic
 * ({@link FleetRecord}), best effort: the fleet view reads each server's latest state, the next
 * poll publishes it again, so a failure is logged and never holds the poll's lines back, and after
 * one the states are not published for a minute (a missing topic would otherwise cost every poll
 * the producer's 10 s wait for its metadata). Both records are stamped with this machine's clock
 * when published, never the poll's epoch (each value carries it): brokers refuse a time more than
 * {@code log.message.timestamp.after.max.ms} (1 h by default) ahead of theirs, and a poll dated
 * ahead must neither hold its partition of the polls topic nor pause every load balancer's states.
 */
public final class CentralPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CentralPublisher.class);
    private static final Duration SERVERS_PAUSE = Duration.ofMinutes(1);

    private final Producer<byte[], byte[]> producer;
    private final String valuesTopic;
    private final String serversTopic;
    private final Clock clock;
    private volatile long serversPausedUntil = Long.MIN_VALUE;

    /** @param valuesTopic the cluster values topic, or null when this processor does not aggregate */
    public CentralPublisher(Producer<byte[], byte[]> producer, String valuesTopic, String serversTopic, Clock clock) {
        this.producer = producer;
        this.valuesTopic = valuesTopic;
        this.serversTopic = serversTopic;
        this.clock = clock;
    }

    boolean aggregates() {
        return valuesTopic != null;
    }

    CompletableFuture<Void> values(String cluster, ClusterValues values) {
        return send(new ProducerRecord<>(valuesTopic, null, clock.millis(), utf8(cluster), values.encode()));
    }

    /** Publishes the states unless a failure in the last minute paused it; never fails. */
    void servers(List<FleetRecord> records) {
        for (FleetRecord r : records) {
            if (clock.nanoTime() < serversPausedUntil) {
                return;
            }
            send(new ProducerRecord<>(serversTopic, null, clock.millis(), utf8(r.key()), utf8(r.value())))
                    .whenComplete((ok, e) -> {
                        if (e != null) {
                            serversFailed(e);
                        }
                    });
        }
    }

    private synchronized void serversFailed(Throwable e) {
        long now = clock.nanoTime();
        if (now >= serversPausedUntil) {
            LOG.warn(
                    "cannot publish servers' states to kafka topic {} ({}); the fleet view misses them, tried again"
                            + " in a minute",
                    serversTopic,
                    e.toString());
            serversPausedUntil = now + SERVERS_PAUSE.toNanos();
        }
    }

    private CompletableFuture<Void> send(ProducerRecord<byte[], byte[]> record) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        try {
            // A send() that throws (no metadata within max.block.ms) fails the future here.
            producer.send(record, (metadata, e) -> {
                if (e == null) {
                    acked.complete(null);
                } else {
                    acked.completeExceptionally(e);
                }
            });
        } catch (KafkaException e) {
            acked.completeExceptionally(e);
        }
        return acked;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close();
    }
}
