package io.haproxystats.pull.logs;

import io.haproxystats.common.logs.LogTimers;
import io.haproxystats.common.logs.Timer;
import io.haproxystats.common.logs.TimerStats;
import java.util.HashMap;
import java.util.Map;

/**
 * One receiving thread's pull interval: the timers of every request line per frontend, backend
 * and (backend, server), and the counts of lines. Bounded: at most {@code maxSeries} names in all
 * ({@code [logs] max-series}); a line that would add a name beyond it is counted unparsed, so the
 * heap stays bounded by the names HAProxy really has. Not thread-safe: its thread fills it, and
 * {@link LogReceiver} swaps it for an empty one under the thread's lock.
 */
final class LogAccumulator {

    private static final int TIMERS = Timer.values().length;

    private final int maxSeries;
    private final Map<String, TimerStats[]> frontends = new HashMap<>();
    private final Map<String, TimerStats[]> backends = new HashMap<>();
    /** Keyed {@code backend/server}: neither name can hold a '/'. */
    private final Map<String, TimerStats[]> servers = new HashMap<>();

    private long lines;
    private long parsed;
    private long unparsed;
    private long other;

    LogAccumulator(int maxSeries) {
        this.maxSeries = maxSeries;
    }

    /**
     * Counts one datagram with what the parser made of it; a request's timers go into its three
     * series. Returns false when the request was refused for {@code max-series} (counted unparsed).
     */
    boolean add(LogLineParser.Outcome outcome, LogLineParser p) {
        lines++;
        switch (outcome) {
            case OTHER -> other++;
            case UNPARSED -> unparsed++;
            case REQUEST -> {
                String serverKey = p.server() == null ? null : p.backend() + "/" + p.server();
                TimerStats[] fe = frontends.get(p.frontend());
                TimerStats[] be = backends.get(p.backend());
                TimerStats[] srv = serverKey == null ? null : servers.get(serverKey);
                int missing = (fe == null ? 1 : 0) + (be == null ? 1 : 0) + (serverKey != null && srv == null ? 1 : 0);
                if (missing > 0 && series() + missing > maxSeries) {
                    unparsed++;
                    return false;
                }
                if (fe == null) {
                    frontends.put(p.frontend(), fe = new TimerStats[TIMERS]);
                }
                if (be == null) {
                    backends.put(p.backend(), be = new TimerStats[TIMERS]);
                }
                if (serverKey != null && srv == null) {
                    servers.put(serverKey, srv = new TimerStats[TIMERS]);
                }
                Timer[] timers = p.timers();
                for (int i = 0; i < timers.length; i++) {
                    int t = timers[i].ordinal();
                    long v = p.value(i);
                    stats(fe, t).record(v);
                    stats(be, t).record(v);
                    if (srv != null) {
                        stats(srv, t).record(v);
                    }
                }
                parsed++;
            }
        }
        return true;
    }

    /** Datagrams counted so far. */
    long lines() {
        return lines;
    }

    /** The names kept: frontends, backends and (backend, server) pairs. */
    int series() {
        return frontends.size() + backends.size() + servers.size();
    }

    private static TimerStats stats(TimerStats[] all, int timer) {
        TimerStats s = all[timer];
        if (s == null) {
            s = all[timer] = new TimerStats();
        }
        return s;
    }

    /**
     * The interval as the file's model ({@code dropped}: what the socket's kernel counter says for
     * it); the sketches are handed over, so this accumulator is not used afterwards.
     */
    LogTimers toLogTimers(long dropped) {
        LogTimers out = new LogTimers();
        out.addCounters(new LogTimers.Counters(lines, parsed, unparsed, other, dropped));
        put(out, frontends, LogTimers.Level.FRONTEND);
        put(out, backends, LogTimers.Level.BACKEND);
        put(out, servers, LogTimers.Level.SERVER);
        return out;
    }

    private static void put(LogTimers out, Map<String, TimerStats[]> series, LogTimers.Level level) {
        Timer[] all = Timer.values();
        for (Map.Entry<String, TimerStats[]> e : series.entrySet()) {
            LogTimers.Series s =
                    switch (level) {
                        case FRONTEND -> LogTimers.Series.frontend(e.getKey());
                        case BACKEND -> LogTimers.Series.backend(e.getKey());
                        case SERVER -> {
                            int slash = e.getKey().indexOf('/');
                            yield LogTimers.Series.server(
                                    e.getKey().substring(0, slash), e.getKey().substring(slash + 1));
                        }
                    };
            TimerStats[] stats = e.getValue();
            for (int t = 0; t < stats.length; t++) {
                if (stats[t] != null) {
                    out.put(s, all[t], stats[t]); // handed over: the accumulator is done with them
                }
            }
        }
    }
}
