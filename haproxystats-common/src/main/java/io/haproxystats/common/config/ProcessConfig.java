package io.haproxystats.common.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything {@code haproxystats-process} reads, validated once before any thread starts.
 *
 * @param localStore    {@code [local-store] dir} when that section exists (default
 *                      {@code ${paths:base-dir}/local-store})
 * @param incomingLimit {@code [pull] queue-size}: the number of directories in src-dir at which the
 *                      puller suspends; with the Graphite queue also full, the processor then drops
 *                      the oldest poll rather than let the puller lose the newest
 * @param maxFileBytes  {@code [pull] buffer-limit}: the largest answer the puller writes; a larger
 *                      file in a poll was not written by it and is refused without being read
 * @param kafka         where polls come from and go to beyond this machine (all off by default)
 * @param cluster       cluster-level aggregation on the central processors (off by default)
 * @param openMetrics   the OpenMetrics endpoint ({@code [openmetrics]}, off by default)
 */
public record ProcessConfig(
        ProcessSettings process,
        GraphiteSettings graphite,
        Optional<Path> localStore,
        int incomingLimit,
        long maxFileBytes,
        KafkaSettings kafka,
        ClusterSettings cluster,
        OpenMetricsSettings openMetrics) {

    /** Sections this daemon reads; {@code -p}/{@code -P} print these ({@code [fleet]} is the fleet page's). */
    public static boolean reads(String section) {
        return !PullSettings.SECTION.equals(section) && !FleetSettings.SECTION.equals(section);
    }

    public static ProcessConfig from(EffectiveConfig config) {
        List<String> sections = new ArrayList<>(ConfigPrinter.printedSections(config, ProcessConfig::reads));
        config.resolveAll(sections);
        Optional<Path> localStore = Optional.empty();
        if (config.hasSection("local-store")) {
            localStore = Optional.of(
                    config.find("local-store", "dir").isPresent()
                            ? config.getPath("local-store", "dir")
                            : config.baseDir().resolve("local-store"));
        }
        int incomingLimit = (int) pullHint(config, "queue-size", Integer.MAX_VALUE);
        long maxFileBytes = pullHint(config, "buffer-limit", Integer.MAX_VALUE - 16);
        KafkaSettings kafka = KafkaSettings.from(config);
        ClusterSettings cluster = ClusterSettings.from(config, pullInterval(config), kafka);
        return new ProcessConfig(
                ProcessSettings.from(config),
                GraphiteSettings.from(config),
                localStore,
                incomingLimit,
                maxFileBytes,
                kafka,
                cluster,
                OpenMetricsSettings.from(config, pullInterval(config), cluster));
    }

    /** {@code [pull] pull-interval}, the cluster window's default; the built-in 10 s when invalid (a hint, as below). */
    public static Duration pullInterval(EffectiveConfig config) {
        try {
            return config.getDuration(PullSettings.SECTION, "pull-interval", 0.1);
        } catch (ConfigurationException e) {
            return Duration.ofSeconds(
                    Long.parseLong(Defaults.table().get(PullSettings.SECTION).get("pull-interval")));
        }
    }

    /**
     * A {@code [pull]} value the processor only uses as a bound. The processor does not validate
     * the puller's section (the original's did not read it at all): an invalid value there is the
     * puller's configuration error, and the processor falls back to the built-in default.
     */
    private static long pullHint(EffectiveConfig config, String option, long max) {
        try {
            return config.getInt(PullSettings.SECTION, option, 1, max);
        } catch (ConfigurationException e) {
            return Long.parseLong(Defaults.table().get(PullSettings.SECTION).get(option));
        }
    }
}
