package io.haproxystats.process.openmetrics;

import io.haproxystats.common.haproxy.MetricDescriptions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Writes snapshots in the two text formats scrapers ask for: OpenMetrics text 1.0.0 and
 * Prometheus text 0.0.4. Written here rather than with the Prometheus Java client's exposition
 * formats: the samples are already text (a poll's line values, printed as the Graphite lines
 * print them, and each line's own timestamp), a scrape only concatenates them under their
 * family's metadata, and the client's data model would rebuild one object per sample of every
 * load balancer at every scrape (172,000 for a large site's poll). Families are merged across
 * snapshots so each is written once, as both formats require.
 *
 * <p>The differences between the formats: OpenMetrics names a counter family without its
 * {@code _total} suffix in {@code # TYPE}/{@code # HELP}, has {@code # UNIT}, writes timestamps in
 * seconds and ends with {@code # EOF}; Prometheus 0.0.4 names the sample ({@code _total}
 * included), has no unit line and writes timestamps in milliseconds.
 */
final class Exposition {

    enum Format {
        OPENMETRICS("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        PROMETHEUS("text/plain; version=0.0.4; charset=utf-8");

        final String contentType;

        Format(String contentType) {
            this.contentType = contentType;
        }

        /** OpenMetrics when the Accept header names it, else Prometheus text. */
        static Format accepting(String accept) {
            return accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS : PROMETHEUS;
        }
    }

    private Exposition() {}

    /** Every family of {@code snapshots}, each once, its samples snapshot after snapshot. */
    static void write(List<Snapshot> snapshots, Format format, OutputStream out) throws IOException {
        TreeMap<String, List<Snapshot.Family>> merged = new TreeMap<>();
        for (Snapshot s : snapshots) {
            s.families().forEach((name, f) -> merged.computeIfAbsent(name, n -> new ArrayList<>())
                    .add(f));
        }
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        StringBuilder line = new StringBuilder(256);
        for (var e : merged.entrySet()) {
            String family = e.getKey();
            MetricDescriptions.Description d = e.getValue().get(0).description();
            boolean counter = d.kind() == MetricDescriptions.Kind.COUNTER;
            String typeName = format == Format.PROMETHEUS && counter ? family + "_total" : family;
            line.setLength(0);
            line.append("# HELP ").append(typeName).append(' ');
            escapeHelp(line, d.help());
            line.append("\n# TYPE ")
                    .append(typeName)
                    .append(' ')
                    .append(counter ? "counter" : "gauge")
                    .append('\n');
            if (format == Format.OPENMETRICS && !d.unit().isEmpty()) {
                line.append("# UNIT ")
                        .append(family)
                        .append(' ')
                        .append(d.unit())
                        .append('\n');
            }
            w.write(line.toString());
            for (Snapshot.Family f : e.getValue()) {
                List<String> lines = f.lines();
                long[] ts = f.timestamps();
                for (int i = 0; i < lines.size(); i++) {
                    w.write(lines.get(i));
                    w.write(' ');
                    w.write(Long.toString(ts[i]));
                    w.write(format == Format.PROMETHEUS ? "000\n" : "\n");
                }
            }
        }
        if (format == Format.OPENMETRICS) {
            w.write("# EOF\n");
        }
        w.flush();
    }

    private static void escapeHelp(StringBuilder out, String help) {
        for (int i = 0; i < help.length(); i++) {
            char c = help.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }
}
