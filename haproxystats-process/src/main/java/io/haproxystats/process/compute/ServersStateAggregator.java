package io.haproxystats.process.compute;

import io.haproxystats.common.haproxy.ServersStateAnswer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code show servers state} answers of a poll ({@code [pull] commands} with servers-state) as
 * numbers: per server, how many processes see it in each operational state and with each
 * administrative cause set; per backend the same summed over its servers. Complete sets, zeros
 * included, as the state metrics. Excluded backends are left out. Pure.
 */
final class ServersStateAggregator {

    private static final List<String> OP_STATES = ServersStateAnswer.OPERATIONAL;
    private static final List<String> ADMIN_BITS = ServersStateAnswer.ADMIN_BITS;

    private final Set<String> excludedBackends;
    /** Backend name to server name to counts: OP_STATES then ADMIN_BITS. */
    private final Map<String, Map<String, long[]>> servers = new LinkedHashMap<>();

    /** @param excludedBackends sanitised names; rows are grouped by sanitised backend and server names */
    ServersStateAggregator(Set<String> excludedBackends) {
        this.excludedBackends = excludedBackends;
    }

    boolean any() {
        return !servers.isEmpty();
    }

    void add(ServersStateAnswer answer) {
        for (ServersStateAnswer.Row row : answer.rows()) {
            String backend = MetricPaths.sanitise(row.backend());
            if (excludedBackends.contains(backend)) {
                continue;
            }
            long[] counts = servers.computeIfAbsent(backend, b -> new LinkedHashMap<>())
                    .computeIfAbsent(
                            MetricPaths.sanitise(row.server()), s -> new long[OP_STATES.size() + ADMIN_BITS.size()]);
            if (row.opState() < OP_STATES.size()) {
                counts[row.opState()]++;
            }
            for (int bit = 0; bit < ADMIN_BITS.size(); bit++) {
                if ((row.adminState() & (1 << bit)) != 0) {
                    counts[OP_STATES.size() + bit]++;
                }
            }
        }
    }

    /**
     * {@code <backend>.server.<srv>.op_state.<S>}, {@code ...admin_state.<B>}, and per backend
     * {@code <backend>.servers.op_state.<S>} and {@code .servers.admin_state.<B>}.
     */
    void emit(MetricPaths paths, MetricBatch out) {
        for (Map.Entry<String, Map<String, long[]>> backend : servers.entrySet()) {
            List<String> bases = paths.bases(MetricPaths.Kind.BACKEND, backend.getKey());
            long[] total = new long[OP_STATES.size() + ADMIN_BITS.size()];
            for (Map.Entry<String, long[]> server : backend.getValue().entrySet()) {
                emit(MetricPaths.serverBases(bases, server.getKey()), server.getValue(), out);
                for (int i = 0; i < total.length; i++) {
                    total[i] += server.getValue()[i];
                }
            }
            emit(MetricPaths.appended(bases, ".servers"), total, out);
        }
    }

    private static void emit(List<String> bases, long[] counts, MetricBatch out) {
        for (String base : bases) {
            for (int i = 0; i < OP_STATES.size(); i++) {
                out.add(MetricPaths.serversState(base, "op_state", OP_STATES.get(i)), counts[i]);
            }
            for (int i = 0; i < ADMIN_BITS.size(); i++) {
                out.add(MetricPaths.serversState(base, "admin_state", ADMIN_BITS.get(i)), counts[OP_STATES.size() + i]);
            }
        }
    }
}
