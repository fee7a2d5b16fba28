package io.haproxystats.process.compute;

import io.haproxystats.common.config.LogsSettings;
import io.haproxystats.common.logs.LogTimers;
import io.haproxystats.common.logs.Timer;
import io.haproxystats.common.logs.TimerStats;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The lines of a poll's request-timer sketches ({@code log_timers}, issue 29), under the bases
 * every other path of that frontend, backend or server has (names sanitised, group namespaces and
 * double writes as {@link MetricPaths#bases}; excluded frontends and backends, with their servers,
 * left out): {@code <base>.timers.<timer>.<pNN>} for each {@code [logs] percentiles} (within the
 * sketch's 1% relative error), {@code .max} and {@code .count} (exact), and {@code .aborted} (the
 * requests that logged the timer {@code -1}). A timer no request set has only {@code .count 0}
 * and {@code .aborted}; a proxy with no request in the interval has no line. Names that are one
 * path once sanitised ({@code be.app} and {@code be_app}) are one series, merged. Pure.
 */
public final class TimerLines {

    private TimerLines() {}

    static void emit(
            LogTimers timers,
            List<LogsSettings.Percentile> percentiles,
            Set<String> excludedFrontends,
            Set<String> excludedBackends,
            MetricPaths paths,
            MetricBatch out,
            Map<String, TimerStats> tails) {
        // By path first: names that sanitise alike are one group, as every other path's.
        SortedMap<String, EnumMap<Timer, TimerStats>> byBase = new TreeMap<>();
        for (Map.Entry<LogTimers.Series, EnumMap<Timer, TimerStats>> e :
                timers.series().entrySet()) {
            LogTimers.Series s = e.getKey();
            String proxy = MetricPaths.sanitise(s.proxy());
            List<String> bases =
                    switch (s.level()) {
                        case FRONTEND ->
                            excludedFrontends.contains(proxy)
                                    ? List.of()
                                    : paths.bases(MetricPaths.Kind.FRONTEND, proxy);
                        case BACKEND ->
                            excludedBackends.contains(proxy) ? List.of() : paths.bases(MetricPaths.Kind.BACKEND, proxy);
                        case SERVER ->
                            excludedBackends.contains(proxy)
                                    ? List.of()
                                    : MetricPaths.serverBases(
                                            paths.bases(MetricPaths.Kind.BACKEND, proxy),
                                            MetricPaths.sanitise(s.server()));
                    };
            for (String base : bases) {
                for (Map.Entry<Timer, TimerStats> t : e.getValue().entrySet()) {
                    byBase.computeIfAbsent(base, k -> new EnumMap<>(Timer.class))
                            .merge(t.getKey(), t.getValue(), TimerLines::sum);
                }
            }
        }
        String prefix = paths.prefix() + ".";
        for (Map.Entry<String, EnumMap<Timer, TimerStats>> e : byBase.entrySet()) {
            for (Map.Entry<Timer, TimerStats> t : e.getValue().entrySet()) {
                String timerBase = e.getKey() + ".timers." + t.getKey().name();
                emit(timerBase + ".", t.getValue(), percentiles, out);
                if (timerBase.startsWith(prefix)) {
                    tails.put(timerBase.substring(prefix.length()), t.getValue());
                }
            }
        }
    }

    /** Two series whose names are one path once sanitised ({@code be.app}, {@code be_app}) are one: merged. */
    private static TimerStats sum(TimerStats a, TimerStats b) {
        TimerStats s = new TimerStats();
        s.merge(a);
        s.merge(b);
        return s;
    }

    private static void emit(
            String base, TimerStats stats, List<LogsSettings.Percentile> percentiles, MetricBatch out) {
        lines(stats, percentiles, (name, value) -> {
            if (value instanceof Long exact) {
                out.add(base + name, exact.longValue());
            } else {
                out.add(base + name, value.doubleValue());
            }
        });
    }

    /**
     * One timer's values by the last path component: each percentile, {@code max}, {@code count}
     * and {@code aborted} (without percentiles and max when no request set it); the one rule for
     * a load balancer's lines and a cluster window's.
     */
    public static void lines(
            TimerStats stats,
            List<LogsSettings.Percentile> percentiles,
            java.util.function.BiConsumer<String, Number> out) {
        if (stats.count() > 0) {
            for (LogsSettings.Percentile p : percentiles) {
                out.accept(p.name(), stats.quantile(p.quantile()));
            }
            out.accept("max", stats.max());
        }
        out.accept("count", stats.count());
        out.accept("aborted", stats.aborted());
    }
}
