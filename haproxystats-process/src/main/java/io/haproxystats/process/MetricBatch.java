package io.haproxystats.process;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/**
 * The Graphite plaintext lines of one poll, {@code <path> <value> <timestamp>\n}, built in order.
 * Values: an integral value prints as an integer; any other in the shortest form that reads back
 * to the same double, never in exponent notation. Not thread-safe; one per poll.
 */
final class MetricBatch {

    private final String timestamp;
    private final StringBuilder text = new StringBuilder(1 << 16);
    private int lines;

    MetricBatch(String timestamp) {
        this.timestamp = timestamp;
    }

    void add(String path, long value) {
        text.append(path).append(' ').append(value).append(' ').append(timestamp).append('\n');
        lines++;
    }

    void add(String path, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return; // Graphite cannot store it; the original's 'nan' lines are one of the listed fixes.
        }
        text.append(path).append(' ');
        appendNumber(text, value);
        text.append(' ').append(timestamp).append('\n');
        lines++;
    }

    /** A pre-formatted value (wall clock times, "%.3f" as the original writes them). */
    void addFormatted(String path, String value) {
        text.append(path).append(' ').append(value).append(' ').append(timestamp).append('\n');
        lines++;
    }

    static void appendNumber(StringBuilder out, double value) {
        if (value == Math.rint(value) && Math.abs(value) < 9.0e18) {
            out.append((long) value);
            return;
        }
        String s = Double.toString(value);
        out.append(s.indexOf('E') >= 0 ? new BigDecimal(s).toPlainString() : s);
    }

    int lines() {
        return lines;
    }

    String timestamp() {
        return timestamp;
    }

    String text() {
        return text.toString();
    }

    byte[] bytes() {
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }
}
