package io.haproxystats.common.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The validated Kafka options of {@code haproxystats-process}: how it is placed ({@code [process]
 * mode} and {@code source}), the {@code [kafka]} section and {@code [kafka-dispatch] topic}. All of it
 * is opt-in: without these options the processor is the local one.
 *
 * @param mode             {@code [process] mode}: {@code local} computes and dispatches here,
 *                         {@code forward} produces each poll directory to the polls topic instead
 * @param source           {@code [process] source}: {@code incoming} (src-dir) or {@code kafka} (the
 *                         polls topic, in the consumer group {@code group-id})
 * @param bootstrapServers {@code [kafka] bootstrap-servers}, {@code host:port} each
 * @param pollsTopic       {@code [kafka] polls-topic} (default {@code haproxystats.polls})
 * @param host             {@code [kafka] host}: the load balancer's name, the key of its polls; empty
 *                         means the machine's host name
 * @param cluster          {@code [kafka] cluster}: carried with each poll in a header
 * @param groupId          {@code [kafka] group-id} (default {@code haproxystats-process})
 * @param client           {@code [kafka] client.<property>} options, without the prefix: passed to
 *                         the Kafka clients as they are (TLS, SASL, timeouts, sizes)
 * @param dispatchTopic    {@code [kafka-dispatch] topic}: computed lines also go to this topic;
 *                         empty = off
 * @param serversTopic     {@code [kafka] servers-topic} (default {@code haproxystats.servers-state}):
 *                         the compacted topic where central processors publish each load balancer's
 *                         latest {@code show servers state}, read by {@code haproxystats-fleet}
 */
public record KafkaSettings(
        Mode mode,
        Source source,
        List<String> bootstrapServers,
        String pollsTopic,
        Optional<String> host,
        Optional<String> cluster,
        String groupId,
        Map<String, String> client,
        Optional<String> dispatchTopic,
        String serversTopic) {

    public static final String SECTION = "kafka";
    public static final String DISPATCH_SECTION = "kafka-dispatch";
    public static final String CLIENT_PREFIX = "client.";
    public static final String DEFAULT_POLLS_TOPIC = "haproxystats.polls";
    public static final String DEFAULT_GROUP_ID = "haproxystats-process";
    public static final String DEFAULT_SERVERS_TOPIC = "haproxystats.servers-state";

    public enum Mode {
        LOCAL,
        FORWARD
    }

    public enum Source {
        INCOMING,
        KAFKA
    }

    /** A topic name Kafka accepts: 1 to 249 of letters, digits, '.', '_' and '-'. */
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    private static final Pattern SERVER = Pattern.compile("[^\\s:,]+:\\d{1,5}|\\[[0-9A-Fa-f:.]+]:\\d{1,5}");

    /** True when any Kafka piece is in use: then bootstrap-servers is required. */
    public boolean usesKafka() {
        return mode == Mode.FORWARD || source == Source.KAFKA || dispatchTopic.isPresent();
    }

    public static KafkaSettings from(EffectiveConfig config) {
        Mode mode = choice(config, ProcessSettings.SECTION, "mode", Mode.LOCAL, Mode.class);
        Source source = choice(config, ProcessSettings.SECTION, "source", Source.INCOMING, Source.class);
        if (mode == Mode.FORWARD && source == Source.KAFKA) {
            throw ConfigurationException.forOption(
                    ProcessSettings.SECTION,
                    "mode",
                    "forward takes polls from src-dir to Kafka; it cannot be used with source = kafka");
        }
        Optional<String> dispatchTopic = own(config, DISPATCH_SECTION, "topic");
        dispatchTopic.ifPresent(t -> topic(DISPATCH_SECTION, "topic", t));
        if (mode == Mode.FORWARD && dispatchTopic.isPresent()) {
            throw ConfigurationException.forOption(
                    DISPATCH_SECTION,
                    "topic",
                    "a forwarding processor computes no lines; set it on the central processors (source = kafka)");
        }
        String pollsTopic = topic(
                SECTION, "polls-topic", own(config, SECTION, "polls-topic").orElse(DEFAULT_POLLS_TOPIC));
        String groupId = own(config, SECTION, "group-id").orElse(DEFAULT_GROUP_ID);
        String serversTopic = topic(
                SECTION, "servers-topic", own(config, SECTION, "servers-topic").orElse(DEFAULT_SERVERS_TOPIC));
        if (serversTopic.equals(pollsTopic)) {
            throw ConfigurationException.forOption(
                    SECTION, "servers-topic", "must not be the polls topic '" + pollsTopic + "'");
        }
        Optional<String> host = own(config, SECTION, "host");
        Optional<String> cluster = own(config, SECTION, "cluster");
        cluster.ifPresent(c -> MetricPathOptions.component(SECTION, "cluster", c));
        Map<String, String> client = new TreeMap<>();
        if (config.hasSection(SECTION)) {
            for (String option : config.ownOptions(SECTION)) {
                if (option.startsWith(CLIENT_PREFIX) && option.length() > CLIENT_PREFIX.length()) {
                    client.put(option.substring(CLIENT_PREFIX.length()), config.get(SECTION, option));
                }
            }
        }
        List<String> servers = new ArrayList<>();
        Optional<String> bootstrap = own(config, SECTION, "bootstrap-servers");
        if (bootstrap.isPresent()) {
            for (String server : bootstrap.get().split(",")) {
                String s = server.strip();
                if (!SERVER.matcher(s).matches()) {
                    throw ConfigurationException.forOption(
                            SECTION,
                            "bootstrap-servers",
                            "expected comma-separated host:port pairs, got '" + server.strip() + "'");
                }
                servers.add(s);
            }
        }
        KafkaSettings settings = new KafkaSettings(
                mode,
                source,
                List.copyOf(servers),
                pollsTopic,
                host,
                cluster,
                groupId,
                Map.copyOf(client),
                dispatchTopic,
                serversTopic);
        if (settings.usesKafka() && servers.isEmpty()) {
            throw ConfigurationException.forOption(
                    SECTION,
                    "bootstrap-servers",
                    "is required with [process] mode = forward, source = kafka or [kafka-dispatch] topic "
                            + "(comma-separated host:port pairs)");
        }
        return settings;
    }

    /** An option of the section itself (not [DEFAULT]), stripped; empty when unset or blank. */
    private static Optional<String> own(EffectiveConfig config, String section, String option) {
        if (!config.hasSection(section) || !config.ownOptions(section).contains(option)) {
            return Optional.empty();
        }
        return Optional.of(config.get(section, option).strip()).filter(v -> !v.isEmpty());
    }

    static String topic(String section, String option, String value) {
        if (!TOPIC.matcher(value).matches() || value.equals(".") || value.equals("..")) {
            throw ConfigurationException.forOption(
                    section,
                    option,
                    "must be a Kafka topic name (letters, digits, '.', '_', '-'; at most 249), got '" + value + "'");
        }
        return value;
    }

    private static <E extends Enum<E>> E choice(
            EffectiveConfig config, String section, String option, E fallback, Class<E> type) {
        Optional<String> value = own(config, section, option);
        if (value.isEmpty()) {
            return fallback;
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            String name = e.name().toLowerCase(Locale.ROOT);
            names.add(name);
            if (name.equals(value.get().toLowerCase(Locale.ROOT))) {
                return e;
            }
        }
        throw ConfigurationException.forOption(
                section, option, "must be one of " + String.join(", ", names) + ", got '" + value.get() + "'");
    }
}
