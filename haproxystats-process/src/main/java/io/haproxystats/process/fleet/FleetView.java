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
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

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

    private FleetView() {}

    /**
     * @param server  only this server ({@code NAME} or {@code backend/NAME}), when given
     * @param cluster only load balancers of this cluster, when given
     */
    static Report of(
            Collection<FleetRecord> read,
            long nowSeconds,
            Duration interval,
            Optional<String> server,
            Optional<String> cluster) {
        return of(read, List.of(), nowSeconds, interval, server, cluster);
    }

    /**
     * @param refusedByReader a line each for the records the reader refused ({@code <where>: <reason>})
     */
    static Report of(
            Collection<FleetRecord> read,
            List<String> refusedByReader,
            long nowSeconds,
            Duration interval,
            Optional<String> server,
            Optional<String> cluster) {
        List<String> refused = new ArrayList<>(refusedByReader);
        long aheadBound = nowSeconds + Math.max(1, interval.toSeconds()) + 60;
        List<FleetRecord> records = new ArrayList<>();
        for (FleetRecord r : read) {
            if (r.epochSeconds() > aheadBound) {
                refused.add(r.key() + ": epoch " + r.epochSeconds() + " is " + (r.epochSeconds() - nowSeconds)
                        + " s ahead of this machine's clock");
            } else {
                records.add(r);
            }
        }
        List<String> refusedLines = refused.stream()
                .map(line -> "refused record: " + Records.printable(line, 300))
                .toList();
        Map<String, Long> latest = new HashMap<>();
        for (FleetRecord r : records) {
            if (cluster.isEmpty() || cluster.get().equals(r.cluster())) {
                latest.merge(r.loadBalancer(), r.epochSeconds(), Math::max);
            }
        }
        if (latest.isEmpty()) {
            List<String> lines = new ArrayList<>();
            lines.add("SERVERS UNKNOWN: no servers state"
                    + cluster.map(c -> " for cluster " + Records.printable(c, 80))
                            .orElse("")
                    + " in the topic (are [pull] commands with servers-state and a central processor running?)"
                    + (refused.isEmpty() ? "" : " | refused=" + refused.size()));
            lines.addAll(refusedLines);
            return new Report(UNKNOWN, List.copyOf(lines));
        }
        long staleBefore = nowSeconds - 3 * Math.max(1, interval.toSeconds());
        Set<String> stale = new TreeSet<>();
        latest.forEach((lb, epoch) -> {
            if (epoch < staleBefore) {
                stale.add(lb);
            }
        });
        // backend/server -> state -> load balancers
        SortedMap<String, SortedMap<String, Set<String>>> seen = new TreeMap<>();
        int up = 0;
        int maint = 0;
        int down = 0;
        int other = 0;
        for (FleetRecord r : records) {
            Long last = latest.get(r.loadBalancer());
            if (last == null || r.epochSeconds() != last || !matches(r, server)) {
                continue;
            }
            for (String state : r.states()) {
                seen.computeIfAbsent(r.backend() + "/" + r.server(), k -> new TreeMap<>(FleetView::readyFirst))
                        .computeIfAbsent(state, k -> new TreeSet<>())
                        .add(r.loadBalancer());
                if (state.equals(READY)) {
                    up++;
                } else if (state.endsWith("/MAINT")) {
                    maint++;
                } else if (state.startsWith("DOWN/")) {
                    down++;
                } else {
                    other++;
                }
            }
        }
        List<String> body = new ArrayList<>();
        int disagreements = 0;
        for (Map.Entry<String, SortedMap<String, Set<String>>> s : seen.entrySet()) {
            if (s.getValue().size() > 1) {
                disagreements++;
            }
            s.getValue().forEach((state, lbs) -> body.add(HostFolding.fold(lbs) + ": " + s.getKey() + ": " + state));
        }
        for (String lb : stale) {
            body.add(lb + ": no servers state for " + (nowSeconds - latest.get(lb)) + " s (last poll " + latest.get(lb)
                    + "): stale");
        }
        int code;
        String verdict;
        if (maint + down > 0) {
            code = CRITICAL;
            verdict = "SERVERS CRITICAL: " + (maint + down) + " server(s) MAINT or DOWN";
        } else if (!stale.isEmpty() || disagreements > 0 || other > 0) {
            code = WARNING;
            List<String> why = new ArrayList<>();
            if (!stale.isEmpty()) {
                why.add(HostFolding.fold(stale) + " not reported within 3 intervals");
            }
            if (disagreements > 0) {
                why.add(disagreements + " server(s) seen differently by the load balancers");
            }
            if (other > 0) {
                why.add(other + " server(s) neither UP/READY nor MAINT/DOWN");
            }
            verdict = "SERVERS WARNING: " + String.join("; ", why);
        } else if (seen.isEmpty()) {
            code = UNKNOWN;
            verdict = "SERVERS UNKNOWN: no server " + Records.printable(server.orElse(""), 80) + " on "
                    + HostFolding.fold(latest.keySet());
        } else {
            code = OK;
            verdict = "SERVERS OK: " + seen.size() + " server(s) UP/READY on " + HostFolding.fold(latest.keySet());
        }
        List<String> lines = new ArrayList<>();
        lines.add(verdict + " | lbs=" + latest.size() + " stale_lbs=" + stale.size() + " up_ready=" + up + " maint="
                + maint + " down=" + down + " other=" + other + " disagreements=" + disagreements
                + (refused.isEmpty() ? "" : " refused=" + refused.size()));
        lines.addAll(body);
        lines.addAll(refusedLines);
        return new Report(code, List.copyOf(lines));
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
