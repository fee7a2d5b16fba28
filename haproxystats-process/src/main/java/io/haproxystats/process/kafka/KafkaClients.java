package io.haproxystats.process.kafka;

import io.haproxystats.common.config.ConfigurationException;
import io.haproxystats.common.config.KafkaSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The Kafka client properties of each role, from {@code [kafka]}: our settings first, then every
 * {@code client.<property>} option, which wins (TLS, SASL, timeouts and sizes are the operator's).
 * Delivery-critical settings are documented in docs/kafka.md: a producer is idempotent with
 * {@code acks=all}; a consumer commits by hand, after delivery.
 */
public final class KafkaClients {

    /**
     * The producer's own bound on one request: large, so that the broker's limit on a record batch
     * ({@code message.max.bytes}, topic {@code max.message.bytes}) is the one that decides, and the
     * error names it.
     */
    public static final int MAX_REQUEST_BYTES = 64 << 20;

    private KafkaClients() {}

    /**
     * The edge's producer of polls: one in flight at a time is the caller's choice; order and no
     * duplicates by idempotence. Its buffer holds the compressed record only.
     */
    public static Properties pollProducer(KafkaSettings kafka, String host) {
        Properties p = acknowledgedProducer(kafka, "haproxystats-forward-" + host);
        // The value is a zstd frame already (PollContainer): compressing it again would cost CPU for nothing.
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(MAX_REQUEST_BYTES));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return passThrough(kafka, p);
    }

    /** A Kafka dispatcher's producer of lines: batched and compressed (lz4: cheap on many small records). */
    static Properties lineProducer(KafkaSettings kafka, String name) {
        Properties p = acknowledgedProducer(kafka, name);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 << 10));
        // A batch not acknowledged within these fails, and the dispatcher reconnects and sends it again.
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        return passThrough(kafka, p);
    }

    /**
     * A central processor's producer of what it publishes beside the lines (cluster values,
     * servers' states): acknowledged, compressed (paths repeat), and as large a request as a poll's.
     */
    public static Properties publisherProducer(KafkaSettings kafka, String clientId) {
        Properties p = acknowledgedProducer(kafka, clientId);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(MAX_REQUEST_BYTES));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return passThrough(kafka, p);
    }

    /**
     * A consumer of the cluster lines topic, in its own group: only committed transactions' lines
     * (the aggregation writes exactly-once), committed by hand after delivery.
     */
    public static Properties linesConsumer(KafkaSettings kafka, String groupId, String clientId) {
        Properties p = pollConsumer(kafka, clientId);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "64");
        return passThrough(kafka, p);
    }

    /**
     * Creates the topics that do not exist yet (partitions and replication the brokers' defaults,
     * the given configs), so that the central processor starts on a fresh cluster; an existing
     * topic is left as it is. Bounded by 10 s, so that brokers down at start delay it little.
     *
     * @throws ExecutionException the brokers refused (the cause says why)
     * @throws TimeoutException   the brokers could not be asked within 10 s
     */
    public static void ensureTopics(KafkaSettings kafka, Map<String, Map<String, String>> topics)
            throws ExecutionException, TimeoutException, InterruptedException {
        try (Admin admin = Admin.create(admin(kafka))) {
            Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            topics.forEach((name, configs) -> {
                if (!existing.contains(name)) {
                    missing.add(new NewTopic(name, Optional.empty(), Optional.empty()).configs(configs));
                }
            });
            if (missing.isEmpty()) {
                return;
            }
            try {
                admin.createTopics(missing).all().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e; // another processor creating them at the same time is fine
                }
            }
        }
    }

    /**
     * What both producers share: acknowledged by every in-sync replica, idempotent (retries add no
     * duplicate, keep the order), bytes in and out, and send() waiting at most 10 s for the
     * topic's metadata, so that an outage is said and retried rather than blocking.
     */
    private static Properties acknowledgedProducer(KafkaSettings kafka, String clientId) {
        Properties p = common(kafka, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    /** A central processor's consumer of polls: in the group, committed by hand, from the start when new. */
    public static Properties pollConsumer(KafkaSettings kafka, String clientId) {
        Properties p = common(kafka, clientId);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, kafka.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Records fetched at once wait in memory (compressed) until their worker computed them: a few.
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "4");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return passThrough(kafka, p);
    }

    /**
     * The topic's {@code max.message.bytes} as the brokers have it (an admin request, bounded by
     * 10 s), so that an error can state the limit; empty when it cannot be read.
     */
    public static Optional<String> maxMessageBytes(KafkaSettings kafka, String topic) {
        try (Admin admin = Admin.create(admin(kafka))) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource))
                    .all()
                    .get(10, TimeUnit.SECONDS)
                    .get(resource);
            return Optional.ofNullable(config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG))
                    .map(ConfigEntry::value);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * The admin client of topic creation and configuration reads: requests bounded by 10 s (set
     * before the {@code client.} options, which win here too), so brokers down at start delay little.
     */
    private static Properties admin(KafkaSettings kafka) {
        Properties p = common(kafka, "haproxystats-admin");
        p.put("default.api.timeout.ms", "10000");
        p.put("request.timeout.ms", "10000");
        return passThrough(kafka, p);
    }

    /**
     * The cluster aggregation's Kafka Streams application: exactly-once (transactions tie its state,
     * output and offsets), its state under {@code stateDir}, and a producer as large and compressed
     * as the edge's, since a large poll's values are megabytes.
     */
    public static Properties streams(KafkaSettings kafka, String applicationId, Path stateDir) {
        Properties p = common(kafka, applicationId);
        p.remove("client.id"); // Streams names its clients after the application and thread
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), MAX_REQUEST_BYTES);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "zstd");
        return passThrough(kafka, p);
    }

    /**
     * {@code haproxystats-fleet}'s reader of the servers-state topic: no group, nothing committed,
     * every request bounded by what is left of the command's {@code --timeout}.
     */
    public static Properties fleetReader(KafkaSettings kafka, Duration timeout) {
        Properties p = common(kafka, "haproxystats-fleet");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        passThrough(kafka, p);
        // After the client. options: this reader never commits and reads bytes, whatever they say.
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return p;
    }

    /**
     * Kafka's own property names (producer, consumer, admin client, Streams, and the Streams
     * prefixes for its inner clients): what a {@code [kafka] client.<property>} may name, since these
     * clients would ignore a name they do not know.
     */
    public static Set<String> knownProperties() {
        Set<String> clients = new HashSet<>(ProducerConfig.configNames());
        clients.addAll(ConsumerConfig.configNames());
        clients.addAll(AdminClientConfig.configNames());
        Set<String> all = new HashSet<>(clients);
        all.addAll(StreamsConfig.configDef().names());
        for (String prefix : List.of(
                StreamsConfig.CONSUMER_PREFIX,
                StreamsConfig.MAIN_CONSUMER_PREFIX,
                StreamsConfig.RESTORE_CONSUMER_PREFIX,
                StreamsConfig.GLOBAL_CONSUMER_PREFIX,
                StreamsConfig.PRODUCER_PREFIX,
                StreamsConfig.ADMIN_CLIENT_PREFIX)) {
            clients.forEach(name -> all.add(prefix + name));
        }
        return all;
    }

    /** A Kafka client that cannot be made, as a configuration error with Kafka's own reason (its root cause). */
    public static ConfigurationException clientError(KafkaException e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return new ConfigurationException(
                "[kafka]: cannot make a Kafka client (bootstrap-servers and the client. options): "
                        + root.getMessage());
    }

    /** What a consumer's client id carries after it: the hash of its processor's path options. */
    public static final String PATHS_MARK = "-paths-";

    private static final Pattern PATHS_IN_CLIENT_ID =
            Pattern.compile(Pattern.quote(PATHS_MARK) + "([0-9a-f]{8})-\\d+$");

    /**
     * The members of consumer group {@code group} whose client ids carry another path options hash
     * than {@code ownHash} ({@link #PATHS_MARK}), each as {@code <client id> on <host>}; members
     * without one (other versions) are left out. Empty when the group cannot be described (an
     * admin request, bounded by 10 s).
     */
    public static List<String> membersWithOtherPathOptions(KafkaSettings kafka, String group, String ownHash) {
        List<String> out = new ArrayList<>();
        try (Admin admin = Admin.create(admin(kafka))) {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group))
                    .all()
                    .get(10, TimeUnit.SECONDS)
                    .get(group);
            for (MemberDescription m : description.members()) {
                Matcher matcher = PATHS_IN_CLIENT_ID.matcher(m.clientId());
                if (matcher.find() && !matcher.group(1).equals(ownHash)) {
                    out.add(m.clientId() + " on " + m.host());
                }
            }
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
        return out;
    }

    private static Properties common(KafkaSettings kafka, String clientId) {
        Properties p = new Properties();
        p.put("bootstrap.servers", String.join(",", kafka.bootstrapServers()));
        p.put("client.id", clientId);
        return p;
    }

    private static Properties passThrough(KafkaSettings kafka, Properties p) {
        for (Map.Entry<String, String> e : kafka.client().entrySet()) {
            p.put(e.getKey(), e.getValue());
        }
        return p;
    }
}
