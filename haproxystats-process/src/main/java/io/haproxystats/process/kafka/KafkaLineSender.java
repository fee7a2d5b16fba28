package io.haproxystats.process.kafka;

import io.haproxystats.common.config.KafkaSettings;
import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.delivery.QueueingDispatcher;
import io.haproxystats.process.delivery.Sender;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code [kafka-dispatch] topic}: the transport of the Kafka dispatcher. Each line of a batch is one
 * record, key = the metric path, value = the line {@code path value timestamp} (the Graphite
 * plaintext that relays and Telegraf-style consumers read); a batch counts as handed on once the
 * broker acknowledged every record of it ({@code acks=all}, idempotent producer). Under a
 * {@link QueueingDispatcher}, so its queue, order, retries and backpressure are Graphite's.
 */
public final class KafkaLineSender implements Sender {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaLineSender.class);

    private final String topic;
    private final Supplier<Producer<byte[], byte[]>> producers;
    private volatile Producer<byte[], byte[]> producer;

    public KafkaLineSender(String topic, Supplier<Producer<byte[], byte[]>> producers) {
        this.topic = topic;
        this.producers = producers;
    }

    public static Supplier<Producer<byte[], byte[]>> kafka(KafkaSettings kafka) {
        Properties p = KafkaClients.lineProducer(kafka, "haproxystats-dispatch");
        return () -> new KafkaProducer<>(p);
    }

    @Override
    public String kind() {
        return "Kafka";
    }

    @Override
    public String name() {
        return "kafka topic " + topic;
    }

    /**
     * A producer that has fetched the topic's metadata, i.e. reached a broker that has the topic;
     * bounded by the producer's {@code max.block.ms}.
     */
    @Override
    public void connect() throws IOException {
        close();
        Producer<byte[], byte[]> p = producers.get();
        try {
            p.partitionsFor(topic);
        } catch (KafkaException e) {
            p.close(Duration.ZERO);
            throw new IOException(name() + ": " + e.getMessage(), e);
        }
        producer = p;
    }

    @Override
    public boolean isConnected() {
        return producer != null;
    }

    @Override
    public void send(MetricBatch batch) throws IOException {
        Producer<byte[], byte[]> p = producer;
        if (p == null) {
            throw new IOException(name() + ": not connected");
        }
        List<Future<RecordMetadata>> acks = new ArrayList<>(batch.lines());
        try {
            batch.forEachLine((path, line) -> acks.add(p.send(new ProducerRecord<>(topic, path, line))));
            p.flush();
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
        } catch (ExecutionException | KafkaException e) {
            close();
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IOException(name() + ": " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new IOException(name() + ": interrupted", e);
        }
    }

    @Override
    public void close() {
        Producer<byte[], byte[]> p = producer;
        producer = null;
        if (p != null) {
            try {
                p.close(Duration.ZERO);
            } catch (KafkaException e) {
                LOG.debug("{}: close: {}", name(), e.toString());
            }
        }
    }
}
