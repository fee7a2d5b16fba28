package io.haproxystats.process.edge;

import io.haproxystats.common.config.KafkaSettings;
import io.haproxystats.common.config.ProcessConfig;
import io.haproxystats.common.time.Clock;
import io.haproxystats.process.compute.Hostname;
import io.haproxystats.process.kafka.KafkaClients;
import io.haproxystats.process.spool.Quarantine;
import io.haproxystats.process.spool.SourceDir;
import io.haproxystats.process.status.Destination;
import io.haproxystats.process.status.Intake;
import io.haproxystats.process.status.Progress;
import java.io.IOException;
import java.time.Duration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;

/** {@code [process] mode = forward}: src-dir's polls produced to the polls topic, nothing computed here. */
public final class EdgeIntake implements Intake {

    /** Longest wait for the broker to acknowledge one forwarded poll (the producer gives up before: 120 s). */
    static final Duration ACK_TIMEOUT = Duration.ofSeconds(150);

    private final SourceDir source;
    private final KafkaProducer<byte[], byte[]> producer;
    private final PollForwarder forwarder;
    private final String description;

    private EdgeIntake(
            SourceDir source, KafkaProducer<byte[], byte[]> producer, PollForwarder forwarder, String description) {
        this.source = source;
        this.producer = producer;
        this.forwarder = forwarder;
        this.description = description;
    }

    /**
     * Makes the producer (a client that cannot be made is a configuration error), locks and watches
     * src-dir (one forwarder a spool), then starts forwarding.
     */
    public static EdgeIntake start(ProcessConfig config, Quarantine quarantine, Clock clock) throws IOException {
        KafkaSettings kafka = config.kafka();
        String host = kafka.host().orElseGet(Hostname::local);
        KafkaProducer<byte[], byte[]> producer;
        try {
            producer = new KafkaProducer<>(KafkaClients.pollProducer(kafka, host));
        } catch (KafkaException e) {
            throw KafkaClients.clientError(e);
        }
        SourceDir source = SourceDir.open(config.process().srcDir(), clock);
        PollForwarder forwarder = new PollForwarder(
                source.dir(),
                producer,
                kafka.pollsTopic(),
                host,
                kafka.cluster().orElse(null),
                config.maxFileBytes(),
                quarantine,
                source.queue(),
                clock,
                ACK_TIMEOUT,
                Duration.ofSeconds(1),
                () -> KafkaClients.maxMessageBytes(kafka, kafka.pollsTopic()));
        forwarder.start();
        return new EdgeIntake(
                source,
                producer,
                forwarder,
                "forwarding " + source.dir() + " to kafka topic " + kafka.pollsTopic() + " as " + host);
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public Progress progress() {
        return forwarder;
    }

    @Override
    public Destination destination() {
        return forwarder;
    }

    @Override
    public String dead() {
        return !forwarder.allAlive() ? "the kafka forwarder thread died" : source.dead();
    }

    @Override
    public void stop() throws InterruptedException, IOException {
        source.close();
        forwarder.stop();
        producer.close(STOP_DRAIN); // a send waiting for the broker ends now, its poll stays
        forwarder.join();
    }

    @Override
    public long computed() {
        return forwarder.forwarded();
    }
}
