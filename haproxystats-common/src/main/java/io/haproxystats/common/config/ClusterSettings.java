package io.haproxystats.common.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Cluster-level aggregation on the central processors ({@code [cluster]}) and the mapping of load
 * balancers to clusters ({@code [clusters]}). Off by default.
 *
 * @param aggregate       {@code [cluster] aggregate}: run the aggregation (Kafka Streams) beside the
 *                        poll consumers; needs {@code [process] source = kafka}
 * @param window          {@code [cluster] window}: the tumbling window's length, aligned to the epoch
 *                        (default {@code [pull] pull-interval})
 * @param grace           {@code [cluster] grace}: how far past a window's end every active load
 *                        balancer's polls must be before it closes (default two windows)
 * @param idle            {@code [cluster] idle}: a load balancer that sent nothing for this long (the
 *                        processor's wall clock) no longer holds windows open (default three pull
 *                        intervals)
 * @param allowedLateness {@code [cluster] allowed-lateness}: how long after a window closed (on the
 *                        cluster's event time) a poll of a load balancer missing from it still
 *                        revises it (default one hour; 0: never revised)
 * @param expectedWindows {@code [cluster] expected-windows}: a load balancer seen in one of the last
 *                        this many windows is expected in the next (default 6)
 * @param valuesTopic     {@code [cluster] values-topic}: each poll's per-load-balancer values
 * @param linesTopic      {@code [cluster] lines-topic}: the cluster lines, read back by the dispatchers
 * @param applicationId   {@code [cluster] application-id}: the Kafka Streams application (its consumer
 *                        group and the prefix of its internal topics)
 * @param stateDir        {@code [cluster] state-dir} (default {@code ${paths:base-dir}/cluster-state}):
 *                        Kafka Streams' local directory (locks and checkpoints; the windows are
 *                        in memory and in their changelog topic)
 * @param clusters        {@code [clusters]}: cluster name = regular expression searched in a load
 *                        balancer's name, first match in file order
 */
public record ClusterSettings(
        boolean aggregate,
        Duration window,
        Duration grace,
        Duration idle,
        Duration allowedLateness,
        int expectedWindows,
        String valuesTopic,
        String linesTopic,
        String applicationId,
        Path stateDir,
        List<GroupSettings.Group> clusters) {

    public static final String SECTION = "cluster";
    public static final String MAPPING_SECTION = "clusters";
    public static final String DEFAULT_VALUES_TOPIC = "haproxystats.cluster-values";
    public static final String DEFAULT_LINES_TOPIC = "haproxystats.cluster-lines";
    public static final String DEFAULT_APPLICATION_ID = "haproxystats-cluster";
    public static final int DEFAULT_EXPECTED_WINDOWS = 6;
    public static final Duration DEFAULT_ALLOWED_LATENESS = Duration.ofHours(1);

    /** The cluster {@code [clusters]} maps a load balancer's name to (first pattern found in it), or empty. */
    public Optional<String> clusterOf(String loadBalancer) {
        return GroupSettings.match(clusters, loadBalancer);
    }

    public static ClusterSettings from(EffectiveConfig config, Duration pullInterval, KafkaSettings kafka) {
        boolean aggregate = has(config, "aggregate") && config.getBoolean(SECTION, "aggregate");
        Duration window = has(config, "window") ? config.getDuration(SECTION, "window", 1) : pullInterval;
        if (window.toMillis() < 1000) {
            window = Duration.ofSeconds(1); // a sub-second pull interval still aggregates per second
        }
        Duration grace = has(config, "grace") ? config.getDuration(SECTION, "grace", 0) : window.multipliedBy(2);
        Duration idle = has(config, "idle") ? config.getDuration(SECTION, "idle", 1) : pullInterval.multipliedBy(3);
        if (idle.toMillis() < 1000) {
            idle = Duration.ofSeconds(1);
        }
        Duration lateness = has(config, "allowed-lateness")
                ? config.getDuration(SECTION, "allowed-lateness", 0)
                : DEFAULT_ALLOWED_LATENESS;
        int expected = has(config, "expected-windows")
                ? (int) config.getInt(SECTION, "expected-windows", 1, 10_000)
                : DEFAULT_EXPECTED_WINDOWS;
        String values = topic(config, "values-topic", DEFAULT_VALUES_TOPIC);
        String lines = topic(config, "lines-topic", DEFAULT_LINES_TOPIC);
        String applicationId = has(config, "application-id")
                ? KafkaSettings.topic(
                        SECTION,
                        "application-id",
                        config.get(SECTION, "application-id").strip())
                : DEFAULT_APPLICATION_ID;
        if (aggregate && kafka.source() != KafkaSettings.Source.KAFKA) {
            throw ConfigurationException.forOption(
                    SECTION,
                    "aggregate",
                    "runs on the central processors: it needs [process] source = kafka (and [kafka] bootstrap-servers)");
        }
        if (values.equals(lines) || values.equals(kafka.pollsTopic()) || lines.equals(kafka.pollsTopic())) {
            throw ConfigurationException.forOption(
                    SECTION, "lines-topic", "the polls, values and lines topics must be three different topics");
        }
        checkClusterNames(config, kafka);
        Path stateDir = has(config, "state-dir")
                ? config.getPath(SECTION, "state-dir")
                : config.baseDir().resolve("cluster-state");
        return new ClusterSettings(
                aggregate,
                window,
                grace,
                idle,
                lateness,
                expected,
                values,
                lines,
                applicationId,
                stateDir,
                GroupSettings.groups(config, MAPPING_SECTION));
    }

    /** The cluster name that would meet a load balancer named {@link #RESERVED_LOAD_BALANCER}. */
    public static final String RESERVED_CLUSTER = "haproxy";

    /** The load balancer name whose lines ({@code <ns>.cluster.haproxy...}) would meet a cluster's. */
    public static final String RESERVED_LOAD_BALANCER = "cluster";

    /**
     * Mistakes in {@code [clusters]} that would pass silently: an option of {@code [cluster]} written
     * in {@code [clusters]} ({@code aggregate = true} would become a cluster whose pattern is
     * {@code true}, and the aggregation would silently not run), and a cluster named
     * {@value #RESERVED_CLUSTER} ({@code <namespace>.cluster.haproxy.} is where a load balancer named
     * {@value #RESERVED_LOAD_BALANCER} writes: two sources of one series). Also {@code [kafka]
     * cluster} and {@code host} with those names. Each is a configuration error naming the option.
     */
    private static void checkClusterNames(EffectiveConfig config, KafkaSettings kafka) {
        if (config.hasSection(MAPPING_SECTION)) {
            for (String name : config.ownOptions(MAPPING_SECTION)) {
                if (KnownOptions.of(SECTION).contains(name)) {
                    throw ConfigurationException.forOption(
                            MAPPING_SECTION,
                            name,
                            "is an option of [" + SECTION + "] (aggregation), not a cluster name: [" + MAPPING_SECTION
                                    + "] maps cluster names to load balancer patterns; move it to [" + SECTION
                                    + "] (a cluster cannot be named like a [" + SECTION + "] option)");
                }
                if (name.equals(RESERVED_CLUSTER)) {
                    throw reservedCluster(MAPPING_SECTION, name);
                }
            }
        }
        if (kafka.cluster().filter(RESERVED_CLUSTER::equals).isPresent()) {
            throw reservedCluster(KafkaSettings.SECTION, "cluster");
        }
        if (kafka.host().filter(RESERVED_LOAD_BALANCER::equals).isPresent()) {
            throw ConfigurationException.forOption(
                    KafkaSettings.SECTION,
                    "host",
                    "a load balancer cannot be named '" + RESERVED_LOAD_BALANCER + "': its lines <namespace>."
                            + RESERVED_LOAD_BALANCER + ".haproxy... would meet the cluster lines <namespace>.cluster."
                            + "<cluster>...");
        }
    }

    private static ConfigurationException reservedCluster(String section, String option) {
        return ConfigurationException.forOption(
                section,
                option,
                "a cluster cannot be named '" + RESERVED_CLUSTER + "': its lines <namespace>.cluster."
                        + RESERVED_CLUSTER
                        + "... would meet those of a load balancer named '" + RESERVED_LOAD_BALANCER
                        + "' (<namespace>.<lb>.haproxy...)");
    }

    private static boolean has(EffectiveConfig config, String option) {
        return config.hasSection(SECTION)
                && config.ownOptions(SECTION).contains(option)
                && !config.get(SECTION, option).isBlank();
    }

    private static String topic(EffectiveConfig config, String option, String fallback) {
        return has(config, option)
                ? KafkaSettings.topic(
                        SECTION, option, config.get(SECTION, option).strip())
                : fallback;
    }
}
