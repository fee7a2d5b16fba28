package io.haproxystats.process.fleet;

import io.haproxystats.process.kafka.FleetRecord;
import io.haproxystats.process.kafka.Records;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The fleet's servers as {@code haproxystats-fleet servers} prints them, from the servers-state
 * topic's records: one line per (backend, server, state) with the load balancers that see it
 * folded ({@code lb[1-2]: be_app/web-2: UP/READY}), and a nagios verdict. A load balancer's
 * servers are those of its latest poll (a server no longer in it was removed); a load balancer
 * whose latest poll is older than three pull intervals is stale. Pure: the clock is a parameter.
 *
 * <p>Records the reader refused (not of the topic's form) and records dated ahead of this
 * machine's clock by more than a pull interval and a minute (a load balancer would otherwise never
 * go stale, or hide its real polls) are left out of the verdict: counted in the perfdata
 * ({@code refused=}) and each said on a line of its own after the servers, their text quoted
 * printable, so that the status line stays one line that no record's content reaches.
 */
final class FleetView {

    static final int OK = 0;
    static final int WARNING = 1;
    static final int CRITICAL = 2;
    static final int UNKNOWN = 3;

    private static final String READY = "UP/READY";

    /** The exit code and the lines to print, the first one nagios' status line with perfdata. */
    record Report(int exitCode, List<String> lines) {}

    /**
     * One server (backend and name) with the load balancers that see it in each state, in the
     * order the lines are printed ({@code UP/READY} first), and the epoch of the oldest latest
     * poll among them.
     */
    record Row(String backend, String server, SortedMap<String, SortedSet<String>> states, long oldestEpoch) {
        /** Seen other than UP/READY by a load balancer, or differently by two. */
        boolean problem() {
            return states.size() > 1 || !states.containsKey(READY);
        }
    }

    /**
     * Everything the verdict is made of, for the lines here and the fleet page.
     *
     * @param latest  each load balancer's latest poll epoch (the ones the cluster filter keeps)
     * @param clusters each such load balancer's cluster ({@link FleetRecord#NO_CLUSTER} for none)
     * @param rows    in backend/server order
     * @param other   servers neither UP/READY, MAINT, DOWN nor DRAIN (DRAIN is {@code drain});
     *                the printed perfdata's {@code other} is both
     * @param refused a line each for the records left out ({@code <where or key>: <reason>})
     */
    record Analysis(
            int exitCode,
            String verdict,
            long nowSeconds,
            SortedMap<String, Long> latest,
            SortedMap<String, String> clusters,
            SortedSet<String> stale,
            List<Row> rows,
            int up,
            int maint,
            int down,
            int drain,
            int other,
            int disagreements,
            List<String> refused) {

        /** The status line's perfdata. */
        String perfdata() {
            return "lbs=" + latest.size() + " stale_lbs=" + stale.size() + " up_ready=" + up + " maint=" + maint
                    + " down=" + down + " other=" + (drain + other) + " disagreements=" + disagreements
                    + (refused.isEmpty() ? "" : " refused=" + refused.size());
        }

        /** The check's output: the status line, a line per (server, state), a line per stale load balancer. */
        List<String> lines() {
            List<String> lines = new ArrayList<>();
            lines.add(
                    latest.isEmpty()
                            ? verdict + (refused.isEmpty() ? "" : " | refused=" + refused.size())
                            : verdict + " | " + perfdata());
            for (Row row : rows) {
                row.states()
                        .forEach((state, lbs) -> lines.add(
                                HostFolding.fold(lbs) + ": " + row.backend() + "/" + row.server() + ": " + state));
            }
            for (String lb : stale) {
                lines.add(lb + ": no servers state for " + (nowSeconds - latest.get(lb)) + " s (last poll "
                        + latest.get(lb) + "): stale");
            }
            refused.forEach(line -> lines.add("refused record: " + Records.printable(line, 300)));
            return List.copyOf(lines);
        }
    }

    private FleetView() {}

    /**
     * @param server  only this server ({@code NAME} or {@code backend/NAME}), when given
     * @param cluster only load balancers of this cluster, when given
     */
    static Report of(
            Collection<FleetRecord> records,
            long nowSeconds,
            Duration interval,
            Optional<String> server,
            Optional<String> cluster) {
        return of(records, List.of(), nowSeconds, interval, server, cluster);
    }

    /**
     * @param refusedByReader a line each for the records the reader refused ({@code <where>: <reason>})
     */
    static Report of(
            Collection<FleetRecord> records,
            List<String> refusedByReader,
            long nowSeconds,
            Duration interval,
            Optional<String> server,
            Optional<String> cluster) {
        Analysis a = analyse(
                records,
                refusedByReader,
                nowSeconds,
                interval,
                r -> matches(r, server),
                Records.printable(server.orElse(""), 80),
                cluster);
        return new Report(a.exitCode(), a.lines());
    }

    /** {@link #analyse(Collection, List, long, Duration, Predicate, String, Optional)} with no record refused by the reader. */
    static Analysis analyse(
            Collection<FleetRecord> records,
            long nowSeconds,
            Duration interval,
            Predicate<FleetRecord> keep,
            String what,
            Optional<String> cluster) {
        return analyse(records, List.of(), nowSeconds, interval, keep, what, cluster);
    }

    /**
     * The verdict and what it is made of; see {@link #of}.
     *
     * @param keep which servers count (the load balancers count whatever their servers)
     * @param what the servers kept, for the message when none is ({@code no server <what> on ...})
     */
    static Analysis analyse(
            Collection<FleetRecord> read,
            List<String> refusedByReader,
            long nowSeconds,
            Duration interval,
            Predicate<FleetRecord> keep,
            String what,
            Optional<String> cluster) {
        List<String> refused = new ArrayList<>(refusedByReader);
        long aheadBound = nowSeconds + Math.max(1, interval.toSeconds()) + 60;
        List<FleetRecord> records = new ArrayList<>(read.size());
        for (FleetRecord r : read) {
            if (r.epochSeconds() > aheadBound) {
                refused.add(r.key() + ": epoch " + r.epochSeconds() + " is " + (r.epochSeconds() - nowSeconds)
                        + " s ahead of this machine's clock");
            } else {
                records.add(r);
            }
        }
        // Hash maps while counting (a fleet has hundreds of thousands of records), sorted once after.
        Map<String, Long> latestByLb = new HashMap<>();
        Map<String, String> clusterByLb = new HashMap<>();
        for (FleetRecord r : records) {
            if (cluster.isEmpty() || cluster.get().equals(r.cluster())) {
                Long before = latestByLb.get(r.loadBalancer());
                if (before == null || r.epochSeconds() > before) {
                    latestByLb.put(r.loadBalancer(), r.epochSeconds());
                    clusterByLb.put(r.loadBalancer(), r.cluster());
                }
            }
        }
        SortedMap<String, Long> latest = new TreeMap<>(latestByLb);
        SortedMap<String, String> clusters = new TreeMap<>(clusterByLb);
        if (latest.isEmpty()) {
            return new Analysis(
                    UNKNOWN,
                    "SERVERS UNKNOWN: no servers state"
                            + cluster.map(c -> " for cluster " + Records.printable(c, 80))
                                    .orElse("")
                            + " in the topic (are [pull] commands with servers-state and a central processor running?)",
                    nowSeconds,
                    latest,
                    clusters,
                    new TreeSet<>(),
                    List.of(),
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    List.copyOf(refused));
        }
        long staleBefore = nowSeconds - 3 * Math.max(1, interval.toSeconds());
        SortedSet<String> stale = new TreeSet<>();
        latest.forEach((lb, epoch) -> {
            if (epoch < staleBefore) {
                stale.add(lb);
            }
        });
        // backend/server -> state -> load balancers
        Map<String, Row> seen = new HashMap<>();
        int up = 0;
        int maint = 0;
        int down = 0;
        int drain = 0;
        int other = 0;
        for (FleetRecord r : records) {
            Long last = latestByLb.get(r.loadBalancer());
            if (last == null || r.epochSeconds() != last || !keep.test(r)) {
                continue;
            }
            Row row = seen.computeIfAbsent(
                    r.backend() + "/" + r.server(),
                    k -> new Row(r.backend(), r.server(), new TreeMap<>(FleetView::readyFirst), Long.MAX_VALUE));
            if (last < row.oldestEpoch()) {
                row = new Row(row.backend(), row.server(), row.states(), last);
                seen.put(r.backend() + "/" + r.server(), row);
            }
            for (String state : r.states()) {
                row.states().computeIfAbsent(state, k -> new TreeSet<>()).add(r.loadBalancer());
                if (state.equals(READY)) {
                    up++;
                } else if (state.endsWith("/MAINT")) {
                    maint++;
                } else if (state.startsWith("DOWN/")) {
                    down++;
                } else if (state.endsWith("/DRAIN")) {
                    drain++;
                } else {
                    other++;
                }
            }
        }
        int disagreements = 0;
        for (Row row : seen.values()) {
            if (row.states().size() > 1) {
                disagreements++;
            }
        }
        int code;
        String verdict;
        if (maint + down > 0) {
            code = CRITICAL;
            verdict = "SERVERS CRITICAL: " + (maint + down) + " server(s) MAINT or DOWN";
        } else if (!stale.isEmpty() || disagreements > 0 || drain + other > 0) {
            code = WARNING;
            List<String> why = new ArrayList<>();
            if (!stale.isEmpty()) {
                why.add(HostFolding.fold(stale) + " not reported within 3 intervals");
            }
            if (disagreements > 0) {
                why.add(disagreements + " server(s) seen differently by the load balancers");
            }
            if (drain + other > 0) {
                why.add((drain + other) + " server(s) neither UP/READY nor MAINT/DOWN");
            }
            verdict = "SERVERS WARNING: " + String.join("; ", why);
        } else if (seen.isEmpty()) {
            code = UNKNOWN;
            verdict = "SERVERS UNKNOWN: no server " + what + " on " + HostFolding.fold(latest.keySet());
        } else {
            code = OK;
            verdict = "SERVERS OK: " + seen.size() + " server(s) UP/READY on " + HostFolding.fold(latest.keySet());
        }
        return new Analysis(
                code,
                verdict,
                nowSeconds,
                latest,
                clusters,
                stale,
                List.copyOf(new TreeMap<>(seen).values()),
                up,
                maint,
                down,
                drain,
                other,
                disagreements,
                List.copyOf(refused));
    }

    /** UP/READY's line first, the exceptions after it in name order. */
    private static int readyFirst(String a, String b) {
        return a.equals(b) ? 0 : a.equals(READY) ? -1 : b.equals(READY) ? 1 : a.compareTo(b);
    }

    private static boolean matches(FleetRecord r, Optional<String> server) {
        return server.isEmpty()
                || server.get().equals(r.server())
                || server.get().equals(r.backend() + "/" + r.server());
    }
}
