package io.haproxystats.common.config;

import io.haproxystats.common.haproxy.MetricCatalogue;
import io.haproxystats.common.spool.PollFiles.Command;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Every option each section has, so that a misspelled one is said, not silently ignored
 * ({@code pull-intervall = 5} kept the 10 s interval). The original ignored unknown keys too, so an
 * unknown option is a warning at start with the closest known name, not an error, unless
 * {@code --strict} is given. Spellings the original never read are not aliased either:
 * {@code prefix_hostname = true}, in the original's own sample configuration, did nothing there,
 * and reading it now would change the paths of a user who wrote {@code prefix_hostname = false}
 * and got hostnames. {@code [DEFAULT]} (helper values for interpolation) and the group sections
 * and {@code [clusters]} (any key is a group or cluster name) have no fixed options; {@code [kafka]
 * client.<property>} passes a Kafka client property through, checked against Kafka's own property
 * names by the daemon that carries Kafka ({@code client.no.such.option} would be ignored by the
 * clients, as a typo here is).
 */
public final class KnownOptions {

    private static final Map<String, Set<String>> OPTIONS = sections(
            "paths",
            Set.of("base-dir"),
            "pull",
            Set.of(
                    "loglevel",
                    "socket-dir",
                    "servers",
                    "master-sockets",
                    "commands",
                    "retries",
                    "timeout",
                    "interval",
                    "pull-timeout",
                    "pull-interval",
                    "buffer-limit",
                    "dst-dir",
                    "tmp-dst-dir",
                    "workers",
                    "queue-size",
                    "skip-dead-sockets"),
            "process",
            Set.of(
                    "loglevel",
                    "workers",
                    "src-dir",
                    "aggr-server-metrics",
                    "per-process-metrics",
                    "calculate-percentages",
                    "liveness-check-interval",
                    "frontend-metrics",
                    "backend-metrics",
                    "server-metrics",
                    "exclude-frontends",
                    "exclude-backends",
                    "quarantine-dir",
                    "quarantine-max-polls",
                    "quarantine-max-bytes",
                    "state-metrics",
                    "mode",
                    "source"),
            "graphite",
            Set.of(
                    "server",
                    "port",
                    "retries",
                    "interval",
                    "connect-timeout",
                    "write-timeout",
                    "delay",
                    "backoff",
                    "namespace",
                    "prefix-hostname",
                    "fqdn",
                    "queue-size",
                    "group-namespace",
                    "group-namespace-double-writes",
                    "replay-bytes",
                    "format"),
            "local-store",
            Set.of("dir"),
            KafkaSettings.SECTION,
            Set.of("bootstrap-servers", "polls-topic", "host", "cluster", "group-id", "servers-topic"),
            KafkaSettings.DISPATCH_SECTION,
            Set.of("topic"),
            LogsSettings.SECTION,
            Set.of("listen", "percentiles", "rcvbuf", "max-series"),
            OpenMetricsSettings.SECTION,
            Set.of("listen", "tls-cert", "tls-key", "username", "password-file"),
            ClusterSettings.SECTION,
            Set.of(
                    "aggregate",
                    "window",
                    "grace",
                    "idle",
                    "allowed-lateness",
                    "expected-windows",
                    "values-topic",
                    "lines-topic",
                    "application-id",
                    "state-dir"),
            FleetSettings.SECTION,
            Set.of("listen", "basic-auth-file", "tls-keystore", "tls-keystore-password"));

    /** Section to its options, from alternating section names and option sets (more than Map.of takes). */
    @SuppressWarnings("unchecked")
    private static Map<String, Set<String>> sections(Object... namesAndOptions) {
        Map<String, Set<String>> m = new java.util.HashMap<>();
        for (int i = 0; i < namesAndOptions.length; i += 2) {
            m.put((String) namesAndOptions[i], (Set<String>) namesAndOptions[i + 1]);
        }
        return Map.copyOf(m);
    }

    /**
     * Built-in values of the options that the original's table ({@link Defaults}) lacks: the new
     * options and the metric lists, as -p and -P print them ({@code ${paths:base-dir}} is replaced
     * by the effective base directory). Options without a value here are unset by default.
     */
    private static final Map<String, Map<String, String>> BUILT_IN = Map.of(
            "pull",
            Map.of(
                    "commands",
                    String.join(
                            " ",
                            PullSettings.DEFAULT_COMMANDS.stream()
                                    .map(Command::option)
                                    .toList()),
                    "skip-dead-sockets",
                    "true"),
            "process",
            Map.of(
                    "state-metrics",
                    "false",
                    "mode",
                    "local",
                    "source",
                    "incoming",
                    "quarantine-dir",
                    "${paths:base-dir}/quarantine",
                    "quarantine-max-polls",
                    Integer.toString(ProcessSettings.DEFAULT_QUARANTINE_MAX_POLLS),
                    "quarantine-max-bytes",
                    Long.toString(ProcessSettings.DEFAULT_QUARANTINE_MAX_BYTES),
                    "frontend-metrics",
                    String.join(" ", MetricCatalogue.FRONTEND_SUM),
                    "backend-metrics",
                    String.join(" ", MetricCatalogue.BACKEND_SUM),
                    "server-metrics",
                    String.join(" ", MetricCatalogue.SERVER_SUM)),
            "graphite",
            Map.of("replay-bytes", Integer.toString(GraphiteSettings.DEFAULT_REPLAY_BYTES), "format", "dotted"),
            LogsSettings.SECTION,
            Map.of(
                    "percentiles",
                    LogsSettings.DEFAULT_PERCENTILES,
                    "max-series",
                    Integer.toString(LogsSettings.DEFAULT_MAX_SERIES)),
            KafkaSettings.SECTION,
            Map.of(
                    "polls-topic", KafkaSettings.DEFAULT_POLLS_TOPIC,
                    "group-id", KafkaSettings.DEFAULT_GROUP_ID,
                    "servers-topic", KafkaSettings.DEFAULT_SERVERS_TOPIC),
            ClusterSettings.SECTION,
            Map.of(
                    "aggregate",
                    "false",
                    "expected-windows",
                    Integer.toString(ClusterSettings.DEFAULT_EXPECTED_WINDOWS),
                    "values-topic",
                    ClusterSettings.DEFAULT_VALUES_TOPIC,
                    "lines-topic",
                    ClusterSettings.DEFAULT_LINES_TOPIC,
                    "application-id",
                    ClusterSettings.DEFAULT_APPLICATION_ID,
                    "state-dir",
                    "${paths:base-dir}/cluster-state"),
            FleetSettings.SECTION,
            Map.of("listen", FleetSettings.DEFAULT_LISTEN));

    private KnownOptions() {}

    /** The options a section has (empty for DEFAULT and the group sections, which have none fixed). */
    static Set<String> of(String section) {
        return OPTIONS.getOrDefault(section, Set.of());
    }

    /** The built-in value of an option the original's table lacks, or empty when it is unset by default. */
    static Optional<String> builtIn(String section, String option, EffectiveConfig config) {
        return Optional.ofNullable(BUILT_IN.getOrDefault(section, Map.of()).get(option))
                .map(v -> v.replace(
                        "${paths:base-dir}", config.find("paths", "base-dir").orElse("")));
    }

    /**
     * An option written in a section that has no such option, with the closest known name if any is
     * close; or ({@code clientProperty}) a {@code [kafka] client.<property>} Kafka's clients do not know.
     */
    public record Unknown(String section, String option, Optional<String> suggestion, boolean clientProperty) {
        public Unknown(String section, String option, Optional<String> suggestion) {
            this(section, option, suggestion, false);
        }

        public String message() {
            if (clientProperty) {
                return "[" + section + "] " + option + ": '" + option.substring(KafkaSettings.CLIENT_PREFIX.length())
                        + "' is not a property of Kafka's producer, consumer, admin client or Streams"
                        + suggestion
                                .map(s -> "; did you mean " + KafkaSettings.CLIENT_PREFIX + s + "?")
                                .orElse(" (the clients would ignore it)");
            }
            return "[" + section + "] " + option + " is not an option"
                    + suggestion.map(s -> "; did you mean " + s + "?").orElse(" of this section (it is ignored)");
        }
    }

    /** The unknown options written in the sections the filter keeps, in section then option order. */
    public static List<Unknown> unknown(EffectiveConfig config, Predicate<String> sections) {
        return unknown(config, sections, Set::of);
    }

    /**
     * As {@link #unknown(EffectiveConfig, Predicate)}, and each {@code [kafka] client.<property>}
     * whose property is not in {@code kafkaPropertyNames} (Kafka's own names, given by the daemon that
     * carries Kafka; empty: not checked), asked only when such an option is written (it loads Kafka's
     * configuration classes).
     */
    public static List<Unknown> unknown(
            EffectiveConfig config, Predicate<String> sections, Supplier<Set<String>> kafkaPropertyNames) {
        Set<String> kafkaProperties = null;
        List<Unknown> out = new ArrayList<>();
        for (String section : new TreeSet<>(config.sections())) {
            Set<String> known = OPTIONS.get(section);
            if (known == null || !sections.test(section)) {
                continue;
            }
            for (String option : new TreeSet<>(config.ownOptions(section))) {
                boolean clientProperty = section.equals(KafkaSettings.SECTION)
                        && option.startsWith(KafkaSettings.CLIENT_PREFIX)
                        && option.length() > KafkaSettings.CLIENT_PREFIX.length();
                if (!known.contains(option) && !clientProperty) {
                    out.add(new Unknown(section, option, closest(option, known)));
                } else if (clientProperty) {
                    if (kafkaProperties == null) {
                        kafkaProperties = kafkaPropertyNames.get();
                    }
                    String property = option.substring(KafkaSettings.CLIENT_PREFIX.length());
                    if (!kafkaProperties.isEmpty() && !kafkaProperties.contains(property)) {
                        out.add(new Unknown(section, option, closest(property, kafkaProperties), true));
                    }
                }
            }
        }
        return out;
    }

    /** The known name nearest to {@code option} (underscores read as dashes), if at most 3 edits away. */
    static Optional<String> closest(String option, Set<String> known) {
        String normal = option.toLowerCase(Locale.ROOT).replace('_', '-');
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : new TreeSet<>(known)) {
            int d = distance(normal, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return bestDistance <= Math.min(3, Math.max(1, option.length() / 3)) ? Optional.of(best) : Optional.empty();
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
