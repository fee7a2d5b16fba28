package io.haproxystats.common.logs;

import java.util.EnumMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the log receiver saw in one pull interval: its counters and, per series (a frontend, a
 * backend, or a server of a backend), the stats of each timer that its lines carried. Mutable
 * while one thread fills it; {@link #merge} adds another interval exactly.
 */
public final class LogTimers {

    /** Where a series belongs. */
    public enum Level {
        FRONTEND("frontend"),
        BACKEND("backend"),
        SERVER("server");

        private final String word;

        Level(String word) {
            this.word = word;
        }

        /** The first word of the series' lines in the file. */
        public String word() {
            return word;
        }
    }

    /**
     * One series: {@code server} is empty except at {@link Level#SERVER}, where {@code proxy} is the
     * backend.
     */
    public record Series(Level level, String proxy, String server) implements Comparable<Series> {
        public static Series frontend(String name) {
            return new Series(Level.FRONTEND, name, "");
        }

        public static Series backend(String name) {
            return new Series(Level.BACKEND, name, "");
        }

        public static Series server(String backend, String server) {
            return new Series(Level.SERVER, backend, server);
        }

        @Override
        public int compareTo(Series o) {
            int c = level.compareTo(o.level);
            if (c == 0) {
                c = proxy.compareTo(o.proxy);
            }
            return c != 0 ? c : server.compareTo(o.server);
        }
    }

    /**
     * The receiver's counts over the interval.
     *
     * @param lines    datagrams received (one log line each)
     * @param parsed   lines read as a request or session log (their timers are in the series)
     * @param unparsed lines that looked like none of the formats read, or were refused (an
     *                 invalid name, too long, over {@code [logs] max-series})
     * @param other    HAProxy's own event lines ({@code Proxy fe started.}, {@code Server be/s is
     *                 DOWN}, connection errors): valid, without timers, not counted as unparsed
     * @param dropped  datagrams the kernel dropped on the receiver's UDP sockets for want of
     *                 buffer space (UNIX datagram sockets do not drop: the sender is refused, and
     *                 HAProxy counts that in its own {@code DroppedLogs})
     */
    public record Counters(long lines, long parsed, long unparsed, long other, long dropped) {
        public static final Counters ZERO = new Counters(0, 0, 0, 0, 0);

        public Counters plus(Counters o) {
            return new Counters(
                    lines + o.lines, parsed + o.parsed, unparsed + o.unparsed, other + o.other, dropped + o.dropped);
        }
    }

    private final SortedMap<Series, EnumMap<Timer, TimerStats>> series = new TreeMap<>();
    private Counters counters = Counters.ZERO;

    /** The stats of {@code timer} in {@code s}, created empty when missing. */
    public TimerStats stats(Series s, Timer timer) {
        return series.computeIfAbsent(s, k -> new EnumMap<>(Timer.class)).computeIfAbsent(timer, k -> new TimerStats());
    }

    /**
     * Adds {@code stats} as they are (not copied) when the series has no such timer yet, else
     * merges them in: an interval handed over without a second copy of its sketches.
     */
    public void put(Series s, Timer timer, TimerStats stats) {
        EnumMap<Timer, TimerStats> timers = series.computeIfAbsent(s, k -> new EnumMap<>(Timer.class));
        TimerStats had = timers.putIfAbsent(timer, stats);
        if (had != null) {
            had.merge(stats);
        }
    }

    /** Every series with its timers, in file order (level, then names). */
    public SortedMap<Series, EnumMap<Timer, TimerStats>> series() {
        return series;
    }

    public Counters counters() {
        return counters;
    }

    public void addCounters(Counters more) {
        counters = counters.plus(more);
    }

    /**
     * Moves {@code other} into this one, exactly, without copying its sketches ({@code other} must
     * not be used after): the hand-over of an interval, so that it is never held twice. A series
     * this one lacks is taken only while this one holds fewer than {@code maxSeries}; returns how
     * many were refused for that (their counters stay counted).
     */
    public int absorb(LogTimers other, int maxSeries) {
        counters = counters.plus(other.counters);
        int refused = 0;
        for (Map.Entry<Series, EnumMap<Timer, TimerStats>> e : other.series.entrySet()) {
            if (!series.containsKey(e.getKey()) && series.size() >= maxSeries) {
                refused++;
                continue;
            }
            for (Map.Entry<Timer, TimerStats> t : e.getValue().entrySet()) {
                put(e.getKey(), t.getKey(), t.getValue());
            }
        }
        other.series.clear();
        return refused;
    }

    /** Adds {@code other} into this one, exactly; {@code other} is left as it was. */
    public void merge(LogTimers other) {
        counters = counters.plus(other.counters);
        for (Map.Entry<Series, EnumMap<Timer, TimerStats>> e : other.series.entrySet()) {
            for (Map.Entry<Timer, TimerStats> t : e.getValue().entrySet()) {
                stats(e.getKey(), t.getKey()).merge(t.getValue());
            }
        }
    }
}
