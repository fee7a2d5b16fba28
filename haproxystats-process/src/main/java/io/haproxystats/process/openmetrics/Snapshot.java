package io.haproxystats.process.openmetrics;

import io.haproxystats.common.haproxy.MetricDescriptions;
import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.compute.SeriesMapping;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The latest computed poll of one load balancer (or a cluster's latest window) as OpenMetrics
 * families: immutable once built, so a scrape reads it without a lock while the next poll builds
 * the next one. Built from a batch's dotted lines by {@link SeriesMapping} (the tagged series'
 * name and tags become the family and labels), described by {@link MetricDescriptions}.
 *
 * @param key      the load balancer ({@code ""} in local mode) or {@code cluster-<name>}
 * @param cluster  whether these are a cluster's lines (their own staleness bound)
 * @param builtAt  {@code Clock.nanoTime()} when built: a snapshot older than the staleness bound is
 *                 no longer served
 * @param families family name to its samples, sorted by name
 */
record Snapshot(String key, boolean cluster, long builtAt, Map<String, Family> families) {

    /**
     * One family's samples of this snapshot: {@code lines[i]} is {@code name{labels} value},
     * {@code timestamps[i]} its line's epoch second (a poll's, or a cluster window's start).
     */
    record Family(String name, MetricDescriptions.Description description, List<String> lines, long[] timestamps) {}

    /** The families of a batch; a line no row of the mapping reads (none the processor forms) is left out. */
    static Snapshot of(MetricBatch batch, SeriesMapping mapping, long now) {
        boolean cluster = batch.timestamp().startsWith("cluster-");
        String key = cluster ? batch.timestamp().substring(0, batch.timestamp().lastIndexOf('-')) : batch.source();
        String source = batch.source();
        Map<String, Builder> builders = new TreeMap<>();
        batch.forEachLine((pathBytes, line) -> {
            String path = new String(pathBytes, StandardCharsets.UTF_8);
            SeriesMapping.Series series = mapping.series(path);
            if (series == null) {
                return;
            }
            String rest = new String(
                    line, pathBytes.length + 1, line.length - pathBytes.length - 1, StandardCharsets.US_ASCII);
            int space = rest.indexOf(' ');
            if (space < 0) {
                return;
            }
            String value = rest.substring(0, space);
            long timestamp;
            try {
                timestamp = Long.parseLong(rest.substring(space + 1).strip());
            } catch (NumberFormatException e) {
                return;
            }
            String name = series.name();
            String last = name.substring(name.lastIndexOf('.') + 1);
            boolean timer = name.contains(".timers.");
            MetricDescriptions.Description described =
                    timer ? timerDescription(last) : MetricDescriptions.describe(last);
            if (timer && last.equals("count")) {
                // A gauge must not end in _count (the suffix of a summary's or histogram's
                // samples: promtool refuses it); the Graphite path keeps .count.
                name = name.substring(0, name.length() - "count".length()) + "requests";
            }
            MetricDescriptions.Description d = baseUnit(described);
            if (!d.unit().equals(described.unit())) {
                value = scaled(value, described.unit());
            }
            String family = familyName(name, d.unit());
            Builder b = builders.computeIfAbsent(family, f -> new Builder(f, d));
            StringBuilder sample = new StringBuilder(128);
            sample.append(family);
            if (d.kind() == MetricDescriptions.Kind.COUNTER) {
                sample.append("_total");
            }
            sample.append('{');
            boolean hasLb = false;
            boolean first = true;
            for (SeriesMapping.Tag t : series.tags()) {
                hasLb |= t.key().equals("lb") || t.key().equals("cluster");
                first = label(sample, first, t.key(), t.value());
            }
            if (!hasLb && !source.isEmpty()) {
                label(sample, first, "lb", source); // a central processor's paths without the host component
            }
            sample.append("} ").append(value);
            b.lines.add(sample.toString());
            b.timestamps.add(timestamp);
        });
        Map<String, Family> families = new TreeMap<>();
        builders.forEach((f, b) -> families.put(f, b.build()));
        return new Snapshot(key, cluster, now, Collections.unmodifiableMap(families));
    }

    /**
     * A request timer's statistic ({@code [logs]}): gauges over the poll's interval, in
     * milliseconds as HAProxy logs them (no unit suffix: the names predate one).
     */
    static MetricDescriptions.Description timerDescription(String stat) {
        String help =
                switch (stat) {
                    case "count" -> "requests that set the timer in the interval";
                    case "aborted" -> "requests that logged the timer as -1 (ended before it was set) in the interval";
                    case "max" -> "largest value of the timer in the interval, milliseconds";
                    default ->
                        stat.startsWith("p")
                                ? "percentile " + stat.substring(1)
                                        + " (p999: 99.9) of the timer's values in the interval,"
                                        + " milliseconds, within 1%"
                                : "request timer statistic " + stat;
                };
        return new MetricDescriptions.Description(MetricDescriptions.Kind.GAUGE, "", help);
    }

    private static boolean label(StringBuilder out, boolean first, String key, String value) {
        if (!first) {
            out.append(',');
        }
        out.append(key).append("=\"");
        escapeLabelValue(out, value);
        out.append('"');
        return false;
    }

    /**
     * Prometheus' base units: milliseconds become seconds and megabytes bytes (the value scaled
     * with them), as its conventions (and {@code promtool check metrics}) want.
     */
    static MetricDescriptions.Description baseUnit(MetricDescriptions.Description d) {
        return switch (d.unit()) {
            case "milliseconds" -> new MetricDescriptions.Description(d.kind(), "seconds", d.help());
            case "megabytes" -> new MetricDescriptions.Description(d.kind(), "bytes", d.help());
            default -> d;
        };
    }

    private static String scaled(String value, String unit) {
        double v = Double.parseDouble(value);
        return MetricBatch.formatNumber(unit.equals("milliseconds") ? v / 1000 : v * 1024 * 1024);
    }

    /**
     * {@code haproxy.server.rtime} → {@code haproxy_server_rtime_seconds},
     * {@code haproxy.daemon.CurrConns} → {@code haproxy_daemon_curr_conns}: snake case (an
     * underscore where a capital follows a small letter or digit, or starts a word after
     * capitals: {@code MetricsHAProxy} → {@code metrics_ha_proxy}), lower case, every other
     * character {@code _}, no doubled {@code _}; a unit abbreviation at the end ({@code _sec},
     * {@code _mb}) dropped, and the unit appended when the name does not end with it (OpenMetrics
     * wants a family with a UNIT to end in it).
     */
    static String familyName(String seriesName, String unit) {
        StringBuilder out = new StringBuilder(seriesName.length() + 16);
        int n = seriesName.length();
        for (int i = 0; i < n; i++) {
            char c = seriesName.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                char before = i > 0 ? seriesName.charAt(i - 1) : '_';
                char after = i + 1 < n ? seriesName.charAt(i + 1) : '_';
                boolean wordStart = Character.isLowerCase(before)
                        || Character.isDigit(before)
                        || (Character.isUpperCase(before) && Character.isLowerCase(after));
                if (wordStart) {
                    underscore(out);
                }
                out.append(Character.toLowerCase(c));
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9' && !out.isEmpty())) {
                out.append(c);
            } else {
                underscore(out);
            }
        }
        String name = out.toString();
        for (String abbreviation : new String[] {"_sec", "_mb"}) {
            if (name.endsWith(abbreviation)) {
                name = name.substring(0, name.length() - abbreviation.length());
            }
        }
        if (!unit.isEmpty() && !name.endsWith("_" + unit)) {
            name = name + "_" + unit;
        }
        return name;
    }

    private static void underscore(StringBuilder out) {
        if (!out.isEmpty() && out.charAt(out.length() - 1) != '_') {
            out.append('_');
        }
    }

    /** A label value as both text formats quote it: {@code \}, {@code "} and newline escaped. */
    static void escapeLabelValue(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    /** The number of samples. */
    int samples() {
        int n = 0;
        for (Family f : families.values()) {
            n += f.lines().size();
        }
        return n;
    }

    private static final class Builder {
        private final String name;
        private final MetricDescriptions.Description description;
        private final List<String> lines = new ArrayList<>();
        private final LongList timestamps = new LongList();

        Builder(String name, MetricDescriptions.Description description) {
            this.name = name;
            this.description = description;
        }

        Family build() {
            return new Family(name, description, List.copyOf(lines), timestamps.toArray());
        }
    }

    private static final class LongList {
        private long[] values = new long[16];
        private int size;

        void add(long v) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        long[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }
}
