package io.haproxystats.process.compute;

import io.haproxystats.common.haproxy.MetricCatalogue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;

/**
 * Daemon statistics ({@code show info}, one record per HAProxy process or instance) to lines under
 * {@code P.daemon.}: sums and means across processes, CPU usage quantiles and standard deviation
 * when there is more than one process, optional percentages and per-process series. A field that
 * no record has is skipped, never an error (Debian's HAProxy lacks the zlib fields). Pure.
 */
final class DaemonAggregator {

    /** Percentage metric name, then the usage field and the limit field it divides. */
    private static final String[][] PERCENTAGES = {
        {"ConnPercentage", "CurrConns", "Maxconn"},
        {"ConnRatePercentage", "ConnRate", "ConnRateLimit"},
        {"SslConnPercentage", "CurrSslConns", "MaxSslConns"},
        {"SslRatePercentage", "SslRate", "SslRateLimit"},
    };

    private static final int[] QUANTILES = {25, 50, 75, 95, 99};
    private static final String CPU = "CpuUsagePct";

    private DaemonAggregator() {}

    /** A table with one row per record and one column per field used; missing values stay missing. */
    static Table table(List<InfoRecord> records) {
        Set<String> fields = new LinkedHashSet<>(MetricCatalogue.DAEMON_SUM);
        fields.addAll(MetricCatalogue.DAEMON_MEAN);
        Table table = Table.create("daemon");
        for (String field : fields) {
            DoubleColumn column = DoubleColumn.create(field);
            boolean any = false;
            for (InfoRecord r : records) {
                Long v = r.get(field);
                if (v == null) {
                    column.appendMissing();
                } else {
                    column.append(v.doubleValue());
                    any = true;
                }
            }
            if (any) {
                table.addColumns(column);
            }
        }
        if (table.containsColumn("Idle_pct")) {
            DoubleColumn idle = table.doubleColumn("Idle_pct");
            table.addColumns(idle.multiply(-1).add(100).setName(CPU));
        }
        return table;
    }

    static void aggregate(
            List<InfoRecord> records, boolean percentages, boolean perProcess, MetricPaths paths, MetricBatch out) {
        Table table = table(records);
        String base = paths.daemonBase();
        for (String field : MetricCatalogue.DAEMON_SUM) {
            if (table.containsColumn(field)) {
                // From the records' longs, not the table's doubles: exact above 2^53, and never wrapped.
                long sum = 0;
                for (InfoRecord r : records) {
                    Long v = r.get(field);
                    sum = v == null ? sum : Sums.add(sum, v);
                }
                out.add(base + field, sum);
            }
        }
        for (String field : MetricCatalogue.DAEMON_MEAN) {
            if (table.containsColumn(field)) {
                out.add(base + field, table.doubleColumn(field).mean());
            }
        }
        if (records.size() > 1 && table.containsColumn(CPU)) {
            DoubleColumn cpu = table.doubleColumn(CPU).removeMissing();
            if (cpu.size() > 1) {
                double[] sorted = cpu.asDoubleArray();
                Arrays.sort(sorted);
                for (int q : QUANTILES) {
                    out.add(base + q + "Percentile" + CPU, nearestRank(sorted, q / 100.0));
                }
                out.add(base + "Std" + CPU, cpu.standardDeviation());
            }
        }
        if (percentages) {
            for (String[] p : PERCENTAGES) {
                if (table.containsColumn(p[1]) && table.containsColumn(p[2])) {
                    out.add(
                            base + p[0],
                            percentage(
                                    table.doubleColumn(p[1]).sum(),
                                    table.doubleColumn(p[2]).sum()));
                }
            }
        }
        if (perProcess) {
            perProcess(records, table, percentages, base, out);
        }
    }

    /** Per-process series, keyed by Process_num, or by socket name when Process_num is not unique. */
    private static void perProcess(
            List<InfoRecord> records, Table table, boolean percentages, String base, MetricBatch out) {
        List<String> keys = processKeys(records);
        List<String> fields = new ArrayList<>(MetricCatalogue.DAEMON_SUM);
        fields.add(CPU);
        fields.addAll(MetricCatalogue.DAEMON_MEAN);
        for (int row = 0; row < records.size(); row++) {
            String prefix = base + "process." + keys.get(row) + ".";
            for (String field : fields) {
                Long exact = records.get(row).get(field);
                if (exact != null) {
                    out.add(prefix + field, (long) exact); // the integer as HAProxy gave it
                } else if (table.containsColumn(field)
                        && !table.doubleColumn(field).isMissing(row)) {
                    out.add(prefix + field, table.doubleColumn(field).getDouble(row)); // CpuUsagePct
                }
            }
            if (percentages) {
                for (String[] p : PERCENTAGES) {
                    if (table.containsColumn(p[1])
                            && table.containsColumn(p[2])
                            && !table.doubleColumn(p[1]).isMissing(row)
                            && !table.doubleColumn(p[2]).isMissing(row)) {
                        out.add(
                                prefix + p[0],
                                percentage(
                                        table.doubleColumn(p[1]).getDouble(row),
                                        table.doubleColumn(p[2]).getDouble(row)));
                    }
                }
            }
        }
    }

    static List<String> processKeys(List<InfoRecord> records) {
        Set<Long> seen = new HashSet<>();
        boolean unique = true;
        for (InfoRecord r : records) {
            Long num = r.get("Process_num");
            if (num == null || !seen.add(num)) {
                unique = false;
            }
        }
        List<String> keys = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        for (InfoRecord r : records) {
            String key = unique ? Long.toString(r.get("Process_num")) : MetricPaths.sanitise(r.source());
            // Socket names that differ only in sanitised characters (a.sock, a_sock) would share a
            // path: the later ones get _2, _3... in file-name order, so no path is written twice.
            String candidate = key;
            for (int n = 2; !taken.add(candidate); n++) {
                candidate = key + "_" + n;
            }
            keys.add(candidate);
        }
        return keys;
    }

    /** int(100 * usage / limit), 0 when the limit is 0 (the original's rule). */
    static long percentage(double usage, double limit) {
        return limit == 0 ? 0 : (long) (100 * usage / limit);
    }

    /** numpy/pandas 'nearest' quantile: the value at index round-half-even(q * (n - 1)). */
    static double nearestRank(double[] sorted, double q) {
        int index = (int) Math.rint(q * (sorted.length - 1));
        return sorted[index];
    }
}
