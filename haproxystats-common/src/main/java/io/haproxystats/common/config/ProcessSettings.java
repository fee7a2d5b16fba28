package io.haproxystats.common.config;

import io.haproxystats.common.haproxy.MetricCatalogue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The validated {@code [process]} section.
 *
 * @param frontendMetrics  {@code frontend-metrics}, or the original's default selection
 * @param backendMetrics   {@code backend-metrics}, or the default (summed) selection
 * @param serverMetrics    {@code server-metrics}, or the default (summed) selection
 * @param excludeFrontends file of frontend names to skip, if set
 * @param excludeBackends  file of backend names to skip (their servers too), if set
 * @param quarantineDir    where a poll directory with an unreadable file is moved
 *                         ({@code quarantine-dir}, default {@code ${paths:base-dir}/quarantine})
 * @param stateMetrics     {@code state-metrics}: send frontend/backend/server states as numbers
 *                         (new, default false: each is a new series per server)
 * @param quarantineMaxPolls {@code quarantine-max-polls} (new, default 100): the most polls kept
 *                         in quarantine; the oldest are removed beyond it
 * @param quarantineMaxBytes {@code quarantine-max-bytes} (new, default 512 MiB): likewise, in bytes
 * @param statusFile       {@code ${paths:base-dir}/haproxystats-process.status}, for the nagios check
 * @param timerPercentiles {@code [logs] percentiles}: what is written from each request-timer
 *                         sketch of a poll's {@code log_timers}
 */
public record ProcessSettings(
        LogLevel logLevel,
        int workers,
        Path srcDir,
        boolean aggrServerMetrics,
        boolean perProcessMetrics,
        boolean calculatePercentages,
        Duration livenessCheckInterval,
        List<String> frontendMetrics,
        List<String> backendMetrics,
        List<String> serverMetrics,
        Optional<Path> excludeFrontends,
        Optional<Path> excludeBackends,
        Path quarantineDir,
        boolean stateMetrics,
        int quarantineMaxPolls,
        long quarantineMaxBytes,
        Path statusFile,
        List<LogsSettings.Percentile> timerPercentiles) {

    /** In {@code [paths] base-dir}; read by contrib/nagios/check_haproxystats_process. */
    public static final String STATUS_FILE = "haproxystats-process.status";

    static final int DEFAULT_QUARANTINE_MAX_POLLS = 100;
    static final long DEFAULT_QUARANTINE_MAX_BYTES = 512L << 20;

    public static final String SECTION = "process";

    public static ProcessSettings from(EffectiveConfig config) {
        String s = SECTION;
        LogLevel level = LogLevel.read(config, s);
        int workers = (int) config.getInt(s, "workers", 1, 1024);
        Path baseDir = config.baseDir();
        Path src = config.getPath(s, "src-dir");
        Path quarantine = config.find(s, "quarantine-dir").isPresent()
                ? config.getPath(s, "quarantine-dir")
                : baseDir.resolve("quarantine");
        return new ProcessSettings(
                level,
                workers,
                src,
                config.getBoolean(s, "aggr-server-metrics"),
                config.getBoolean(s, "per-process-metrics"),
                config.getBoolean(s, "calculate-percentages"),
                config.getDuration(s, "liveness-check-interval", 0.1),
                metrics(config, "frontend-metrics", MetricCatalogue.FRONTEND_SUM),
                metrics(config, "backend-metrics", MetricCatalogue.BACKEND_SUM),
                metrics(config, "server-metrics", MetricCatalogue.SERVER_SUM),
                config.findPath(s, "exclude-frontends"),
                config.findPath(s, "exclude-backends"),
                quarantine,
                config.find(s, "state-metrics").isPresent() && config.getBoolean(s, "state-metrics"),
                config.find(s, "quarantine-max-polls").isEmpty()
                        ? DEFAULT_QUARANTINE_MAX_POLLS
                        : (int) config.getInt(s, "quarantine-max-polls", 1, 1_000_000),
                config.find(s, "quarantine-max-bytes").isEmpty()
                        ? DEFAULT_QUARANTINE_MAX_BYTES
                        : config.getInt(s, "quarantine-max-bytes", 1, Long.MAX_VALUE),
                baseDir.resolve(STATUS_FILE),
                LogsSettings.from(config).percentiles());
    }

    private static List<String> metrics(EffectiveConfig config, String option, List<String> defaults) {
        Optional<String> value = config.find(SECTION, option);
        if (value.isEmpty()) {
            return defaults;
        }
        List<String> names = new ArrayList<>();
        for (String name : value.get().strip().split("\\s+")) {
            if (name.isEmpty()) {
                continue;
            }
            if (!MetricCatalogue.isMetric(name)) {
                throw ConfigurationException.forOption(
                        SECTION,
                        option,
                        "'" + name + "' is not a numeric HAProxy statistic (see docs/metrics.md for the list)");
            }
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        if (names.isEmpty()) {
            throw ConfigurationException.forOption(SECTION, option, "must list at least one metric name");
        }
        return List.copyOf(names);
    }
}
