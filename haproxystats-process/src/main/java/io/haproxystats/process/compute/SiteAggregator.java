package io.haproxystats.process.compute;

import io.haproxystats.common.config.ProcessSettings;
import io.haproxystats.common.haproxy.Aggregation;
import io.haproxystats.common.haproxy.MetricCatalogue;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Site statistics ({@code show stat} tables of every process) to lines for frontends, backends,
 * servers and, optionally, servers across backends. Rows are grouped in one pass per table, as the
 * table arrives ({@link Accumulator}), with a hash index over the table's rows: one pass
 * serves every group at once, where Tablesaw's {@code summarize().by()} would build a table per
 * group (docs/benchmarks.md has the profile of this path). Pure.
 */
final class SiteAggregator {

    /**
     * What one part aggregates: each field with its {@link Aggregation}. The fields an option
     * lists come first, aggregated by their nature (MetricCatalogue); then the part's fixed means
     * and traffic means, unless the option listed them already.
     */
    record Spec(List<String> fields, Aggregation[] kinds) {

        static Spec of(List<String> listed, List<String> means, List<String> trafficMeans) {
            Map<String, Aggregation> all = new LinkedHashMap<>();
            for (String field : listed) {
                all.put(field, MetricCatalogue.aggregation(field).orElseThrow());
            }
            means.forEach(f -> all.putIfAbsent(f, Aggregation.MEAN));
            trafficMeans.forEach(f -> all.putIfAbsent(f, Aggregation.TRAFFIC_MEAN));
            return new Spec(List.copyOf(all.keySet()), all.values().toArray(new Aggregation[0]));
        }
    }

    /**
     * Running totals of one group (a frontend, a backend, a server): per field, the sum (or the
     * extremum for MAX and MIN) and the number of rows that counted.
     */
    private static final class Group {
        final String name;
        final long[] values;
        final int[] counts;
        /** Rows in each state (state metrics); for a backend, its own state (UP, DOWN). */
        long[] states;

        Group(String name, Spec spec) {
            this.name = name;
            values = new long[spec.fields().size()];
            counts = new int[values.length];
        }
    }

    /** Each field of a spec's position within the table's rows; -1 where the table lacks it. */
    private static int[] columns(StatTable t, Spec spec) {
        int[] out = new int[spec.fields().size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.index(spec.fields().get(i));
        }
        return out;
    }

    private final Spec frontend;
    private final Spec backend;
    private final Spec server;
    /**
     * Servers across backends: always the default server lists, whatever {@code server-metrics}
     * says, as the original does (its across-backends part never read the option).
     */
    private final Spec serverAcross;

    private final boolean aggregateServers;
    private final boolean stateMetrics;

    SiteAggregator(ProcessSettings settings) {
        this.frontend = Spec.of(settings.frontendMetrics(), List.of(), List.of());
        this.backend = Spec.of(settings.backendMetrics(), MetricCatalogue.BACKEND_MEAN, MetricCatalogue.TIMING_MEAN);
        this.server = Spec.of(settings.serverMetrics(), MetricCatalogue.SERVER_MEAN, MetricCatalogue.TIMING_MEAN);
        this.serverAcross =
                Spec.of(MetricCatalogue.SERVER_SUM, MetricCatalogue.SERVER_MEAN, MetricCatalogue.TIMING_MEAN);
        this.aggregateServers = settings.aggrServerMetrics();
        this.stateMetrics = settings.stateMetrics();
    }

    /** Counts a row's state (null: not a counted state) in a group's counts, indexed by ordinal. */
    private static void count(Group g, Enum<?> state, int states) {
        if (g.states == null) {
            g.states = new long[states];
        }
        if (state != null) {
            g.states[state.ordinal()]++;
        }
    }

    private static final States.Frontend[] FRONTEND_STATES = States.Frontend.values();
    private static final States.Backend[] BACKEND_STATES = States.Backend.values();
    private static final States.Server[] SERVER_STATES = States.Server.values();

    /** Every numeric field the parser must read for this configuration. */
    Set<String> wantedFields() {
        Set<String> all = new LinkedHashSet<>(frontend.fields());
        all.addAll(backend.fields());
        all.addAll(server.fields());
        if (aggregateServers) {
            all.addAll(serverAcross.fields());
        }
        all.add("lbtot");
        all.add("type");
        return all;
    }

    /**
     * A poll's running totals: tables are added one at a time and can be dropped after.
     *
     * @param excludedFrontends frontend names to leave out, sanitised ({@link MetricPaths#sanitise})
     * @param excludedBackends  backend names to leave out with their servers, sanitised
     */
    Accumulator accumulator(Set<String> excludedFrontends, Set<String> excludedBackends) {
        return new Accumulator(excludedFrontends, excludedBackends);
    }

    /**
     * Groups rows as tables arrive, so a poll never needs all its tables in memory at once (a
     * 64-file poll of 5,500-row answers is hundreds of MB as tables, a few MB as totals). Every
     * aggregate is a sum or a count of integers, so the result does not depend on the order in
     * which tables are added; lines come out in first-seen order of the names.
     *
     * <p>Groups are keyed by the sanitised name, as the original keys them by the name with
     * {@code .} replaced: {@code legacy.app} and {@code legacy_app} are one group (one path, so one
     * line), never two lines for the same path of which Graphite would keep either.
     */
    final class Accumulator {
        private final Set<String> excludedFrontends;
        private final Set<String> excludedBackends;
        private final Map<String, Group> frontends = new LinkedHashMap<>();
        private final Map<String, Group> backends = new LinkedHashMap<>();
        private final Map<String, Map<String, Group>> byBackend = new LinkedHashMap<>();
        private final Map<String, Group> acrossBackends = new LinkedHashMap<>();
        private final Map<String, long[]> backendServerStates = new LinkedHashMap<>();
        /** Each raw server name's sanitised form: a name repeats in every backend and every table. */
        private final Map<String, String> sanitised = new HashMap<>();

        private boolean any;

        private Accumulator(Set<String> excludedFrontends, Set<String> excludedBackends) {
            this.excludedFrontends = excludedFrontends;
            this.excludedBackends = excludedBackends;
        }

        /** True once a table was added: the site parts are sent only then (an empty file adds none). */
        boolean any() {
            return any;
        }

        void add(StatTable t) {
            any = true;
            int[] fc = columns(t, frontend);
            int[] bc = columns(t, backend);
            int[] sc = columns(t, server);
            int[] ac = aggregateServers ? columns(t, serverAcross) : null;
            long[] data = t.data();
            int stride = t.stride();
            int lbtot = t.index("lbtot");
            int type = t.index("type");
            String[] px = t.pxnames();
            String[] sv = t.svnames();
            String[] status = stateMetrics ? t.statuses() : null;
            String lastRaw = null;
            String pxname = null;
            boolean excluded = false;
            Map<String, Group> servers = null;
            long[] perBackend = null;
            for (int r = 0; r < t.rows(); r++) {
                if (px[r] != lastRaw) {
                    // A proxy's rows are together, and the parser shares its name's string: what
                    // depends on the proxy alone is looked up once per proxy, not per row.
                    lastRaw = px[r];
                    pxname = MetricPaths.sanitise(lastRaw);
                    excluded = excludedBackends.contains(pxname);
                    servers = null;
                    perBackend = null;
                }
                String svname = sv[r];
                int base = r * stride;
                boolean traffic = lbtot >= 0 && data[base + lbtot] > 0;
                if ("FRONTEND".equals(svname)) {
                    if (!excludedFrontends.contains(pxname)) {
                        Group g = frontends.computeIfAbsent(pxname, n -> new Group(n, frontend));
                        SiteAggregator.add(g, frontend.kinds(), fc, data, base, false);
                        if (status != null) {
                            count(g, States.Frontend.of(status[r]), FRONTEND_STATES.length);
                        }
                    }
                    continue;
                }
                if ("BACKEND".equals(svname)) {
                    if (!excluded) {
                        Group g = backends.computeIfAbsent(pxname, n -> new Group(n, backend));
                        SiteAggregator.add(g, backend.kinds(), bc, data, base, traffic);
                        if (status != null) {
                            count(g, States.Backend.of(status[r]), BACKEND_STATES.length);
                        }
                    }
                    continue;
                }
                boolean isServer = type < 0 || data[base + type] == 2;
                if (!isServer) {
                    continue;
                }
                String server = sanitised.computeIfAbsent(svname, MetricPaths::sanitise);
                States.Server state = status == null ? null : States.Server.of(status[r]);
                if (!excluded) {
                    if (servers == null) {
                        servers = byBackend.computeIfAbsent(pxname, n -> new LinkedHashMap<>());
                    }
                    Group g = servers.computeIfAbsent(server, n -> new Group(n, SiteAggregator.this.server));
                    SiteAggregator.add(g, SiteAggregator.this.server.kinds(), sc, data, base, traffic);
                    if (status != null) {
                        count(g, state, SERVER_STATES.length);
                        if (perBackend == null) {
                            perBackend =
                                    backendServerStates.computeIfAbsent(pxname, n -> new long[SERVER_STATES.length]);
                        }
                        if (state != null) {
                            perBackend[state.ordinal()]++;
                        }
                    }
                }
                if (aggregateServers) {
                    // Across every backend, the excluded ones included (the original's rule).
                    Group across = acrossBackends.computeIfAbsent(server, n -> new Group(n, serverAcross));
                    SiteAggregator.add(across, serverAcross.kinds(), ac, data, base, traffic);
                    if (status != null) {
                        count(across, state, SERVER_STATES.length);
                    }
                }
            }
        }

        void emitFrontends(MetricPaths paths, MetricBatch out) {
            for (Group g : frontends.values()) {
                List<String> bases = paths.bases(MetricPaths.Kind.FRONTEND, g.name);
                emit(g, frontend, bases, out);
                emitStates(bases, FRONTEND_STATES, g.states, out);
            }
        }

        void emitBackends(MetricPaths paths, MetricBatch out) {
            for (Group g : backends.values()) {
                List<String> bases = paths.bases(MetricPaths.Kind.BACKEND, g.name);
                emit(g, backend, bases, out);
                emitStates(bases, BACKEND_STATES, g.states, out);
            }
        }

        /** Servers per backend, {@code TotalServers} per backend, and servers across backends if enabled. */
        void emitServers(MetricPaths paths, MetricBatch out) {
            for (Map.Entry<String, Map<String, Group>> backendServers : byBackend.entrySet()) {
                List<String> backendBases = paths.bases(MetricPaths.Kind.BACKEND, backendServers.getKey());
                for (Group g : backendServers.getValue().values()) {
                    List<String> bases = MetricPaths.serverBases(backendBases, g.name);
                    emit(g, server, bases, out);
                    emitStates(bases, SERVER_STATES, g.states, out);
                }
                for (String b : backendBases) {
                    out.add(
                            MetricPaths.totalServers(b),
                            backendServers.getValue().size());
                }
                long[] serverCounts = backendServerStates.get(backendServers.getKey());
                if (serverCounts != null) {
                    for (String b : backendBases) {
                        for (States.Server state : SERVER_STATES) {
                            out.add(MetricPaths.serversIn(b, state.name()), serverCounts[state.ordinal()]);
                        }
                    }
                }
            }
            for (Group g : acrossBackends.values()) {
                List<String> bases = paths.bases(MetricPaths.Kind.SERVER, g.name);
                emit(g, serverAcross, bases, out);
                emitStates(bases, SERVER_STATES, g.states, out);
            }
        }
    }

    /**
     * Adds one row to a group: {@code columns[i]} is where field i of the group's spec is in the
     * row that starts at {@code data[base]} (-1: the table lacks it); {@code traffic}: the row's
     * lbtot is above 0, which the timing means need.
     */
    private static void add(Group g, Aggregation[] kinds, int[] columns, long[] data, int base, boolean traffic) {
        for (int i = 0; i < kinds.length; i++) {
            int column = columns[i];
            if (column < 0) {
                continue;
            }
            long v = data[base + column];
            switch (kinds[i]) {
                case SUM, MEAN -> g.values[i] = Sums.add(g.values[i], v);
                case TRAFFIC_MEAN -> {
                    if (!traffic) {
                        continue;
                    }
                    g.values[i] = Sums.add(g.values[i], v);
                }
                case MAX -> g.values[i] = g.counts[i] == 0 ? v : Math.max(g.values[i], v);
                case MIN -> g.values[i] = g.counts[i] == 0 ? v : Math.min(g.values[i], v);
            }
            g.counts[i]++;
        }
    }

    /** {@code <base><infix><STATE> <count>} for every state, zeros included (the set is complete); nothing without counts. */
    private static void emitStates(List<String> bases, Enum<?>[] states, long[] counts, MetricBatch out) {
        if (counts == null) {
            return;
        }
        for (String base : bases) {
            for (Enum<?> state : states) {
                out.add(MetricPaths.status(base, state.name()), counts[state.ordinal()]);
            }
        }
    }

    private static void emit(Group g, Spec spec, List<String> bases, MetricBatch out) {
        Aggregation[] kinds = spec.kinds();
        for (String base : bases) {
            for (int i = 0; i < kinds.length; i++) {
                if (g.counts[i] == 0) {
                    continue;
                }
                String path = base + "." + spec.fields().get(i);
                switch (kinds[i]) {
                    case MEAN, TRAFFIC_MEAN -> out.add(path, (double) g.values[i] / g.counts[i]);
                    default -> out.add(path, g.values[i]);
                }
            }
        }
    }
}
