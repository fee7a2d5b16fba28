package io.haproxystats.process;

import io.haproxystats.common.haproxy.MetricCatalogue;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Runs the computation on a synthetic poll a few times at start, before src-dir is watched, so
 * that the JIT has compiled the parser, the grouping and the formatting when the first real poll
 * arrives: without it the first poll of a large site took 3.5 to 4.4 times a warm one (the
 * interpreter and the first compilations), with it about 1.5 times (docs/benchmarks.md). It
 * costs about half a second of CPU once per start, while the first poll is still being pulled.
 * The synthetic answers have every field the catalogue knows and columns nobody reads, so every
 * path of the parser runs; their lines are thrown away.
 */
final class Warmup {

    /** Rounds of the synthetic poll: enough invocations of the per-row code for the JIT's top tier. */
    static final int ROUNDS = 30;

    private Warmup() {}

    /** Computes the synthetic poll {@link #ROUNDS} times; returns the lines of the last round. */
    static int run(PollComputation computation) {
        Map<String, String> poll = poll(2, 100, 20);
        int lines = 0;
        for (int i = 0; i < ROUNDS; i++) {
            lines = computation
                    .compute("1700000000", poll, Set.of(), Set.of())
                    .batch()
                    .lines();
        }
        return lines;
    }

    /** {@code instances} pairs of _info and _stat, each with {@code backends} x {@code servers} servers. */
    static Map<String, String> poll(int instances, int backends, int servers) {
        Set<String> fields = new LinkedHashSet<>();
        fields.addAll(MetricCatalogue.FRONTEND_SUM);
        fields.addAll(MetricCatalogue.BACKEND_SUM);
        fields.addAll(MetricCatalogue.BACKEND_MEAN);
        fields.addAll(MetricCatalogue.SERVER_SUM);
        fields.addAll(MetricCatalogue.SERVER_MEAN);
        fields.addAll(MetricCatalogue.TIMING_MEAN);
        fields.remove("type");
        fields.remove("lbtot");
        StringBuilder header = new StringBuilder("# pxname,svname,status,type,lbtot");
        for (String f : fields) {
            header.append(',').append(f);
        }
        for (int u = 0; u < 40; u++) {
            header.append(",unread_").append(u); // the columns skipped over
        }
        header.append(",\n");
        Map<String, String> files = new TreeMap<>();
        for (int p = 0; p < instances; p++) {
            StringBuilder stat = new StringBuilder(header);
            for (int b = 0; b < backends; b++) {
                String proxy = "warmup_" + b;
                row(stat, proxy, "FRONTEND", "OPEN", 0, fields.size(), b);
                for (int s = 0; s < servers; s++) {
                    row(stat, proxy, "server_" + s, "UP", 2, fields.size(), b + s);
                }
                row(stat, proxy, "BACKEND", "UP", 1, fields.size(), b);
            }
            files.put("warmup" + p + "_stat", stat.toString());
            files.put(
                    "warmup" + p + "_info",
                    "Name: HAProxy\nVersion: 2.6.12\nProcess_num: " + (p + 1) + "\nPid: " + (100 + p)
                            + "\nUptime_sec: 3600\nIdle_pct: 97\nCurrConns: 12\nCumConns: 1234\n");
        }
        return files;
    }

    private static void row(
            StringBuilder out, String proxy, String name, String status, int type, int fields, int seed) {
        out.append(proxy)
                .append(',')
                .append(name)
                .append(',')
                .append(status)
                .append(',')
                .append(type);
        out.append(',').append(seed % 3); // lbtot: 0 on some rows, so both timing paths run
        for (int f = 0; f < fields; f++) {
            out.append(',');
            if ((f + seed) % 5 != 0) { // some empty fields, as HAProxy leaves them
                out.append((long) (f + 1) * (seed + 7));
            }
        }
        for (int u = 0; u < 40; u++) {
            out.append(u % 3 == 0 ? ",L4OK" : ",");
        }
        out.append(",\n");
    }
}
