package io.haproxystats.common.logs;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.store.SparseStore;
import io.haproxystats.common.haproxy.Excerpt;
import java.io.IOException;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;

/**
 * The poll file {@code log_timers} ({@link io.haproxystats.common.spool.PollFiles#LOG_TIMERS}),
 * version 1: the receiver's counters and every series' timers of one pull interval, as text.
 *
 * <pre>
 * haproxystats-log-timers 1
 * counters lines=N parsed=N unparsed=N other=N dropped=N
 * frontend FE TIMER COUNT ABORTED SUM MAX SKETCH
 * backend BE TIMER COUNT ABORTED SUM MAX SKETCH
 * server BE SRV TIMER COUNT ABORTED SUM MAX SKETCH
 * </pre>
 *
 * Fields are separated by one space; names are HAProxy proxy and server names, which hold only
 * {@code A-Z a-z 0-9 - _ . :} (HAProxy refuses any other character), so no name can break a line
 * or a field. {@code TIMER} is a {@link Timer} name; {@code COUNT} the requests that set it,
 * {@code ABORTED} those that logged it {@code -1}, {@code SUM} and {@code MAX} in milliseconds;
 * {@code SKETCH} the DDSketch of the set values in its own binary encoding (index mapping
 * included), base64 without padding ({@code -} when {@code COUNT} is 0). Lines are sorted
 * (frontends, backends, servers; then by name). A reader refuses a file whose first line is not a
 * version it knows.
 */
public final class LogTimersFile {

    public static final String HEADER = "haproxystats-log-timers";
    public static final int VERSION = 1;
    /** A sketch's encoded size above which a reader refuses it (a 1% sketch of 1 ms to a day is about 2 KB). */
    static final int MAX_SKETCH_BYTES = 64 << 10;
    /** The widest bin range a reader accepts: a 1% sketch spans about 1,000 bins from 1 ms to a day. */
    static final int MAX_BIN_SPAN = 20_000;

    private LogTimersFile() {}

    /** True for a name HAProxy accepts for a proxy or server (and so safe in a field). */
    public static boolean validName(CharSequence s) {
        if (s.length() == 0 || s.length() > 255) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z'
                    || c >= 'A' && c <= 'Z'
                    || c >= '0' && c <= '9'
                    || c == '-'
                    || c == '_'
                    || c == '.'
                    || c == ':')) {
                return false;
            }
        }
        return true;
    }

    /** The file's text. */
    public static String format(LogTimers timers) {
        StringBuilder out = new StringBuilder(256 + 600 * timers.series().size());
        try {
            write(timers, out);
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible); // a StringBuilder does not fail
        }
        return out.toString();
    }

    /**
     * The file's text, a line at a time into {@code out} (a file's writer: an interval of 10,000
     * busy servers is about 9 MB of text, not held whole).
     */
    public static void write(LogTimers timers, Appendable out) throws IOException {
        LogTimers.Counters c = timers.counters();
        out.append(HEADER).append(' ').append(Integer.toString(VERSION)).append('\n');
        out.append("counters lines=" + c.lines() + " parsed=" + c.parsed() + " unparsed=" + c.unparsed() + " other="
                + c.other() + " dropped=" + c.dropped() + "\n");
        GrowingByteArrayOutput bytes = GrowingByteArrayOutput.withDefaultInitialCapacity();
        Base64.Encoder base64 = Base64.getEncoder().withoutPadding();
        StringBuilder line = new StringBuilder(512);
        for (Map.Entry<LogTimers.Series, EnumMap<Timer, TimerStats>> e :
                timers.series().entrySet()) {
            LogTimers.Series s = e.getKey();
            if (!validName(s.proxy()) || s.level() == LogTimers.Level.SERVER && !validName(s.server())) {
                throw new IllegalArgumentException("not an HAProxy name: " + Excerpt.of(s.proxy() + "/" + s.server()));
            }
            for (Map.Entry<Timer, TimerStats> t : e.getValue().entrySet()) {
                TimerStats stats = t.getValue();
                line.setLength(0);
                line.append(s.level().word()).append(' ').append(s.proxy()).append(' ');
                if (s.level() == LogTimers.Level.SERVER) {
                    line.append(s.server()).append(' ');
                }
                line.append(t.getKey().name())
                        .append(' ')
                        .append(stats.count())
                        .append(' ')
                        .append(stats.aborted())
                        .append(' ')
                        .append(stats.sum())
                        .append(' ')
                        .append(stats.max())
                        .append(' ');
                if (stats.count() == 0) {
                    line.append('-');
                } else {
                    bytes.clear();
                    stats.sketch().encode(bytes, false);
                    line.append(base64.encodeToString(bytes.trimmedCopy()));
                }
                line.append('\n');
                out.append(line);
            }
        }
    }

    /** A file that is not version 1 of this format; names the line and what was expected. */
    public static final class MalformedException extends Exception {
        private final int line;

        MalformedException(int line, String message) {
            super("line " + line + ": " + message);
            this.line = line;
        }

        public int line() {
            return line;
        }
    }

    /** Reads a file written by {@link #format}; every figure, name and sketch checked. */
    public static LogTimers parse(String text) throws MalformedException {
        String[] lines = text.split("\n", -1);
        int n = lines.length;
        if (n > 0 && lines[n - 1].isEmpty()) {
            n--;
        }
        if (n < 2) {
            throw new MalformedException(n + 1, "expected the version line and the counters line");
        }
        String header = HEADER + " " + VERSION;
        if (!lines[0].equals(header)) {
            throw new MalformedException(
                    1,
                    "expected '" + header + "' (a version this processor reads), found '" + Excerpt.of(lines[0]) + "'");
        }
        LogTimers out = new LogTimers();
        out.addCounters(counters(lines[1]));
        Base64.Decoder base64 = Base64.getDecoder();
        DDSketch expected = TimerStats.newSketch();
        for (int i = 2; i < n; i++) {
            int line = i + 1;
            String[] f = lines[i].split(" ", -1);
            LogTimers.Series series;
            int at;
            if (f.length == 8 && f[0].equals("frontend")) {
                series = LogTimers.Series.frontend(name(f[1], line));
                at = 2;
            } else if (f.length == 8 && f[0].equals("backend")) {
                series = LogTimers.Series.backend(name(f[1], line));
                at = 2;
            } else if (f.length == 9 && f[0].equals("server")) {
                series = LogTimers.Series.server(name(f[1], line), name(f[2], line));
                at = 3;
            } else {
                throw new MalformedException(
                        line,
                        "expected 'frontend|backend NAME' or 'server BACKEND SERVER', then TIMER COUNT ABORTED SUM MAX"
                                + " SKETCH; found '" + Excerpt.of(lines[i]) + "'");
            }
            Timer timer = Timer.named(f[at]);
            if (timer == null) {
                throw new MalformedException(line, "'" + Excerpt.of(f[at]) + "' is not a timer (TR Tw Tc Tr Ta Tt)");
            }
            long count = number(f[at + 1], "COUNT", line);
            long aborted = number(f[at + 2], "ABORTED", line);
            long sum = number(f[at + 3], "SUM", line);
            long max = number(f[at + 4], "MAX", line);
            DDSketch sketch = TimerStats.newSketch();
            if (count == 0) {
                if (!f[at + 5].equals("-") || sum != 0 || max != 0) {
                    throw new MalformedException(line, "COUNT 0 needs SUM 0, MAX 0 and the sketch '-'");
                }
            } else {
                sketch = sketch(f[at + 5], base64, expected, line);
                if (sketch.getCount() != count) {
                    throw new MalformedException(
                            line, "the sketch holds " + (long) sketch.getCount() + " values, COUNT says " + count);
                }
            }
            if (out.series().containsKey(series) && out.series().get(series).containsKey(timer)) {
                throw new MalformedException(
                        line, "a second line for " + f[0] + " " + series.proxy() + " " + series.server() + " " + timer);
            }
            out.stats(series, timer).merge(new TimerStats(sketch, count, aborted, sum, max));
        }
        return out;
    }

    private static LogTimers.Counters counters(String line) throws MalformedException {
        String[] f = line.split(" ", -1);
        String[] names = {"lines", "parsed", "unparsed", "other", "dropped"};
        if (f.length != 6 || !f[0].equals("counters")) {
            throw new MalformedException(
                    2,
                    "expected 'counters lines=N parsed=N unparsed=N other=N dropped=N', found '" + Excerpt.of(line)
                            + "'");
        }
        long[] v = new long[5];
        for (int i = 0; i < 5; i++) {
            if (!f[i + 1].startsWith(names[i] + "=")) {
                throw new MalformedException(2, "expected " + names[i] + "=N, found '" + Excerpt.of(f[i + 1]) + "'");
            }
            v[i] = number(f[i + 1].substring(names[i].length() + 1), names[i], 2);
        }
        return new LogTimers.Counters(v[0], v[1], v[2], v[3], v[4]);
    }

    private static String name(String s, int line) throws MalformedException {
        if (!validName(s)) {
            throw new MalformedException(line, "'" + Excerpt.of(s) + "' is not an HAProxy name (A-Z a-z 0-9 - _ . :)");
        }
        return s;
    }

    private static long number(String s, String what, int line) throws MalformedException {
        if (s.isEmpty() || s.length() > 18) {
            throw new MalformedException(line, what + " '" + Excerpt.of(s) + "' is not a count (0 to 18 digits)");
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new MalformedException(line, what + " '" + Excerpt.of(s) + "' is not a count (0 to 18 digits)");
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static DDSketch sketch(String field, Base64.Decoder base64, DDSketch expected, int line)
            throws MalformedException {
        if (field.length() > MAX_SKETCH_BYTES * 4 / 3 + 4) {
            throw new MalformedException(line, "a sketch of more than " + MAX_SKETCH_BYTES + " bytes");
        }
        byte[] bytes;
        try {
            bytes = base64.decode(field);
        } catch (IllegalArgumentException e) {
            throw new MalformedException(line, "the sketch is not base64: " + e.getMessage());
        }
        try {
            return checkedSketch(bytes, 0, bytes.length, expected);
        } catch (IllegalArgumentException e) {
            throw new MalformedException(line, e.getMessage());
        }
    }

    /**
     * A sketch decoded into a sparse store first (memory bounded by the bytes read, whatever bin
     * indexes crafted bytes hold), its mapping checked against this version's and its bin span
     * bounded, then copied into the dense store merges use.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static DDSketch checkedSketch(byte[] bytes, int from, int length, DDSketch expected) {
        if (length > MAX_SKETCH_BYTES) {
            throw new IllegalArgumentException("a sketch of more than " + MAX_SKETCH_BYTES + " bytes");
        }
        DDSketch sparse;
        try {
            sparse = DDSketch.decode(ByteArrayInput.wrap(bytes, from, length), SparseStore::new);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a DDSketch encoding: " + e);
        }
        if (!sparse.getIndexMapping().equals(expected.getIndexMapping())) {
            throw new IllegalArgumentException(
                    "the sketch's index mapping is not version " + VERSION + "'s (1%, cubic)");
        }
        if (!sparse.getNegativeValueStore().isEmpty()) {
            throw new IllegalArgumentException("the sketch holds negative values; timers are never negative");
        }
        if (!sparse.getPositiveValueStore().isEmpty()
                && (long) sparse.getPositiveValueStore().getMaxIndex()
                                - sparse.getPositiveValueStore().getMinIndex()
                        > MAX_BIN_SPAN) {
            throw new IllegalArgumentException("the sketch spans more than " + MAX_BIN_SPAN + " bins");
        }
        DDSketch dense = TimerStats.newSketch();
        dense.mergeWith(sparse);
        return dense;
    }
}
