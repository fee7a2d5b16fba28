package io.haproxystats.process;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

/**
 * What a central processor publishes beside the lines, each future completing once the brokers
 * acknowledged it (so that the poll's record is committed only then): a poll's per-load-balancer
 * values to the cluster values topic (key the cluster, timestamp the poll's epoch), and its
 * servers' states to the compacted servers-state topic ({@link FleetRecord}).
 */
final class CentralPublisher implements AutoCloseable {

    private final Producer<byte[], byte[]> producer;
    private final String valuesTopic;
    private final String serversTopic;

    /** @param valuesTopic the cluster values topic, or null when this processor does not aggregate */
    CentralPublisher(Producer<byte[], byte[]> producer, String valuesTopic, String serversTopic) {
        this.producer = producer;
        this.valuesTopic = valuesTopic;
        this.serversTopic = serversTopic;
    }

    boolean aggregates() {
        return valuesTopic != null;
    }

    CompletableFuture<Void> values(String cluster, ClusterValues values) {
        return send(
                new ProducerRecord<>(valuesTopic, null, values.epochSeconds() * 1000, utf8(cluster), values.encode()));
    }

    CompletableFuture<Void> servers(List<FleetRecord> records) {
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (FleetRecord r : records) {
            sent.add(send(
                    new ProducerRecord<>(serversTopic, null, r.epochSeconds() * 1000, utf8(r.key()), utf8(r.value()))));
        }
        return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> send(ProducerRecord<byte[], byte[]> record) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        try {
            producer.send(record, (metadata, e) -> {
                if (e == null) {
                    acked.complete(null);
                } else {
                    acked.completeExceptionally(e);
                }
            });
        } catch (KafkaException e) {
            acked.completeExceptionally(e); // no metadata within max.block.ms: fetched and sent again later
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
