package io.haproxystats.process.cluster;

import io.haproxystats.common.config.ClusterSettings;
import io.haproxystats.common.config.KafkaSettings;
import io.haproxystats.common.config.LogsSettings;
import io.haproxystats.process.kafka.KafkaClients;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code [cluster] aggregate = true}: the Kafka Streams application that folds the values topic into
 * cluster windows ({@link ClusterWindows}) and writes their lines to the lines topic, run beside a
 * central processor's consumers, in its own consumer group ({@code [cluster] application-id}).
 * More instances share the values topic's partitions. Exactly-once ({@code exactly_once_v2}); a
 * stream thread that fails is replaced, and an application that reaches ERROR makes the liveness
 * check stop the daemon for its service manager.
 */
public final class ClusterAggregation {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterAggregation.class);

    private final KafkaStreams streams;

    public ClusterAggregation(Topology topology, Properties properties) {
        this.streams = new KafkaStreams(topology, properties);
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("cluster aggregation: a stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> LOG.info("cluster aggregation: {} -> {}", before, now));
    }

    /** values topic -> windows (its store changelogged, in memory) -> lines topic. */
    public static Topology topology(ClusterSettings cluster, String namespace) {
        return topology(cluster, namespace, new ClusterStatus(io.haproxystats.common.time.Clock.system()));
    }

    /** As {@link #topology(ClusterSettings, String)}, its windows reporting to {@code status}. */
    public static Topology topology(ClusterSettings cluster, String namespace, ClusterStatus status) {
        return topology(cluster, namespace, status, LogsSettings.percentiles(LogsSettings.DEFAULT_PERCENTILES));
    }

    /** As above; {@code percentiles} ({@code [logs] percentiles}) name the windows' request-timer lines. */
    public static Topology topology(
            ClusterSettings cluster,
            String namespace,
            ClusterStatus status,
            java.util.List<LogsSettings.Percentile> percentiles) {
        Topology t = new Topology();
        t.addSource("values", new StringDeserializer(), new ByteArrayDeserializer(), cluster.valuesTopic());
        t.addProcessor("windows", () -> new ClusterWindows(cluster, namespace, status, percentiles), "values");
        t.addStateStore(
                Stores.keyValueStoreBuilder(
                                Stores.inMemoryKeyValueStore(ClusterWindows.STORE), Serdes.String(), Serdes.ByteArray())
                        .withLoggingEnabled(Map.of(
                                TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                                Integer.toString(KafkaClients.MAX_REQUEST_BYTES))),
                "windows");
        t.addSink("lines", cluster.linesTopic(), new StringSerializer(), new StringSerializer(), "windows");
        return t;
    }

    /** {@link KafkaClients#streams}, for this application and state directory. */
    public static Properties properties(KafkaSettings kafka, ClusterSettings cluster, Path stateDir) {
        return KafkaClients.streams(kafka, cluster.applicationId(), stateDir);
    }

    public void start() {
        streams.start();
    }

    /** False once the application cannot process any more (ERROR, or stopped). */
    public boolean alive() {
        KafkaStreams.State s = streams.state();
        return s != KafkaStreams.State.ERROR
                && s != KafkaStreams.State.PENDING_ERROR
                && s != KafkaStreams.State.NOT_RUNNING
                && s != KafkaStreams.State.PENDING_SHUTDOWN;
    }

    public void close(Duration timeout) {
        streams.close(timeout);
    }
}
