package io.haproxystats.process.central;

import io.haproxystats.common.config.ClusterSettings;
import io.haproxystats.common.config.ConfigurationException;
import io.haproxystats.common.config.KafkaSettings;
import io.haproxystats.common.config.ProcessConfig;
import io.haproxystats.common.config.ProcessSettings;
import io.haproxystats.common.spool.FileModes;
import io.haproxystats.common.time.Clock;
import io.haproxystats.process.cluster.ClusterAggregation;
import io.haproxystats.process.cluster.ClusterLinesHandler;
import io.haproxystats.process.cluster.ClusterStatus;
import io.haproxystats.process.compute.Hostname;
import io.haproxystats.process.delivery.Dispatchers;
import io.haproxystats.process.delivery.FanOut;
import io.haproxystats.process.kafka.KafkaClients;
import io.haproxystats.process.kafka.KafkaPollSource;
import io.haproxystats.process.spool.Quarantine;
import io.haproxystats.process.status.Destination;
import io.haproxystats.process.status.Intake;
import io.haproxystats.process.status.Progress;
import io.haproxystats.process.status.StatusValues;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code [process] source = kafka}: the polls topic's records computed here, in the consumer
 * group; their servers' states published for the fleet view; with {@code [cluster] aggregate},
 * their values published to the values topic, the cluster aggregation run beside, and its lines
 * read back and handed to the same dispatchers.
 */
public final class CentralIntake implements Intake {

    private static final Logger LOG = LoggerFactory.getLogger(CentralIntake.class);

    private final String description;
    private final Dispatchers dispatchers;
    private final CentralPublisher publisher;
    private final KafkaPollSource source;
    /** The cluster aggregation and the consumer of its lines, or null without {@code [cluster] aggregate}. */
    private final ClusterAggregation windows;

    private final KafkaPollSource clusterLines;
    private final ClusterStatus clusterStatus;
    private final ScheduledExecutorService pathCheck;

    private CentralIntake(
            String description,
            Dispatchers dispatchers,
            CentralPublisher publisher,
            KafkaPollSource source,
            ClusterAggregation windows,
            KafkaPollSource clusterLines,
            ClusterStatus clusterStatus,
            ScheduledExecutorService pathCheck) {
        this.clusterStatus = clusterStatus;
        this.pathCheck = pathCheck;
        this.description = description;
        this.dispatchers = dispatchers;
        this.publisher = publisher;
        this.source = source;
        this.windows = windows;
        this.clusterLines = clusterLines;
    }

    /**
     * Creates the topics it publishes to when missing, makes its clients (one that cannot be made
     * is a configuration error with Kafka's reason) and starts the consumers and the aggregation.
     */
    public static CentralIntake start(
            ProcessConfig config, Dispatchers dispatchers, Quarantine quarantine, Clock clock) {
        ProcessSettings settings = config.process();
        KafkaSettings kafka = config.kafka();
        ClusterSettings cluster = config.cluster();
        ensureTopics(kafka, cluster);
        FanOut fanOut =
                new FanOut(dispatchers.all(), "its records are fetched again, for it alone, every [graphite] delay");
        CentralPublisher publisher;
        try {
            publisher = new CentralPublisher(
                    new KafkaProducer<>(
                            KafkaClients.publisherProducer(kafka, "haproxystats-publish-" + Hostname.local())),
                    cluster.aggregate() ? cluster.valuesTopic() : null,
                    kafka.serversTopic(),
                    clock);
        } catch (KafkaException e) {
            throw KafkaClients.clientError(e);
        }
        PollRecordHandler handler = new PollRecordHandler(
                settings, config.graphite(), fanOut, quarantine, config.maxFileBytes(), clock, cluster, publisher);
        KafkaPollSource source = new KafkaPollSource(
                KafkaPollSource.kafka(KafkaClients.pollConsumer(
                        kafka,
                        "haproxystats-process-" + Hostname.local() + KafkaClients.PATHS_MARK
                                + config.graphite().pathOptionsHash())),
                kafka.pollsTopic(),
                handler,
                config.graphite().delay(),
                clock);
        ClusterAggregation windows = null;
        KafkaPollSource lines = null;
        ClusterStatus clusterStatus = new ClusterStatus(clock);
        try {
            source.start(settings.workers());
            if (cluster.aggregate()) {
                FileModes.createDirectories(cluster.stateDir());
                windows = new ClusterAggregation(
                        ClusterAggregation.topology(
                                cluster, config.graphite().namespace(), clusterStatus, settings.timerPercentiles()),
                        ClusterAggregation.properties(kafka, cluster, cluster.stateDir()));
                windows.start();
                lines = new KafkaPollSource(
                        KafkaPollSource.kafka(KafkaClients.linesConsumer(
                                kafka, kafka.groupId() + "-cluster-lines", "haproxystats-lines-" + Hostname.local())),
                        cluster.linesTopic(),
                        new ClusterLinesHandler(fanOut, config.graphite().namespace(), quarantine),
                        config.graphite().delay(),
                        clock);
                lines.start(1);
            }
        } catch (KafkaException e) {
            throw KafkaClients.clientError(e);
        } catch (IOException e) {
            throw new ConfigurationException("[cluster] state-dir: cannot create " + cluster.stateDir() + ": " + e);
        }
        String description = "consuming kafka topic " + kafka.pollsTopic() + " in group " + kafka.groupId() + " with "
                + settings.workers() + " consumers"
                + (windows == null
                        ? ""
                        : ", aggregating clusters in " + cluster.window().toSeconds() + " s windows ("
                                + cluster.applicationId() + ")");
        return new CentralIntake(
                description,
                dispatchers,
                publisher,
                source,
                windows,
                lines,
                cluster.aggregate() ? clusterStatus : null,
                pathOptionsCheck(config));
    }

    /**
     * The topics this processor publishes to, created when missing (the servers-state topic
     * compacted; the values topic taking a large poll's values); brokers that cannot be asked are
     * said once, and the topics must then exist (docs/kafka.md).
     */
    private static void ensureTopics(KafkaSettings kafka, ClusterSettings cluster) {
        Map<String, Map<String, String>> topics = new TreeMap<>();
        topics.put(kafka.serversTopic(), Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        if (cluster.aggregate()) {
            topics.put(
                    cluster.valuesTopic(),
                    Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(KafkaClients.MAX_REQUEST_BYTES)));
            topics.put(cluster.linesTopic(), Map.of());
        }
        try {
            KafkaClients.ensureTopics(kafka, topics);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            LOG.warn(
                    "cannot create the topics {} if missing ({}); they must exist, see docs/kafka.md",
                    topics.keySet(),
                    e.getCause() == null ? e.toString() : e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Central processors of one group that form paths differently (namespace, prefix-hostname,
     * fqdn, group namespaces) move a load balancer's series between paths at every rebalance. Each
     * says the hash of its path options in its consumers' client ids; every minute (first after
     * 20 s, when the group has formed) this one compares the group's members with its own and
     * warns once a member.
     */
    private static ScheduledExecutorService pathOptionsCheck(ProcessConfig config) {
        ScheduledExecutorService check = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("path-options-check").factory());
        String own = config.graphite().pathOptionsHash();
        Set<String> said = new HashSet<>();
        check.scheduleWithFixedDelay(
                () -> {
                    for (String other : KafkaClients.membersWithOtherPathOptions(
                            config.kafka(), config.kafka().groupId(), own)) {
                        if (said.add(other)) {
                            LOG.warn(
                                    "consumer group {}: member {} forms metric paths with other options than this"
                                            + " processor ({}, hash {}): a load balancer's series move between paths"
                                            + " at each rebalance; give every central processor of the group the same"
                                            + " [graphite] namespace, prefix-hostname, fqdn and group options",
                                    config.kafka().groupId(),
                                    other,
                                    config.graphite().pathOptions(),
                                    own);
                        }
                    }
                },
                20,
                60,
                TimeUnit.SECONDS);
        return check;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public Progress progress() {
        return source;
    }

    @Override
    public Destination destination() {
        return dispatchers.graphite();
    }

    @Override
    public String dead() {
        if (!source.allAlive()) {
            return "a kafka consumer died";
        }
        if (windows != null && !windows.alive()) {
            return "the cluster aggregation stopped (Kafka Streams state ERROR)";
        }
        if (clusterLines != null && !clusterLines.allAlive()) {
            return "the cluster lines consumer died";
        }
        return dispatchers.deadSender();
    }

    @Override
    public void stop() throws InterruptedException, IOException {
        pathCheck.shutdownNow();
        source.stop(STOP_DRAIN);
        if (clusterLines != null) {
            clusterLines.stop(STOP_DRAIN);
        }
        if (windows != null) {
            windows.close(STOP_DRAIN);
        }
        dispatchers.stopWaiting();
        source.join();
        if (clusterLines != null) {
            clusterLines.join();
        }
        publisher.close();
        dispatchers.close(STOP_DRAIN);
    }

    /** With {@code [cluster] aggregate}: the windows' state ({@link ClusterStatus}). */
    @Override
    public List<StatusValues> statusValues() {
        return clusterStatus == null ? List.of() : List.of(clusterStatus);
    }

    @Override
    public long computed() {
        return source.delivered();
    }
}
