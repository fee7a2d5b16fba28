package io.haproxystats.process.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The tests' one reader of Graphite plaintext, {@code path value timestamp}: from a batch, a
 * local-store file or a relay's output. Every line must have exactly three fields.
 */
public final class GraphiteLines {

    private GraphiteLines() {}

    /** One line. */
    public record Line(String path, String value, String timestamp) {

        public static Line of(String line) {
            String[] f = line.split(" ");
            assertEquals(3, f.length, "malformed Graphite line: '" + line + "'");
            return new Line(f[0], f[1], f[2]);
        }

        /** A line of the processor's own metrics ({@code .haproxystats.}), not of HAProxy's data. */
        public boolean isSelf() {
            return path.contains(".haproxystats.");
        }
    }

    /** The non-empty lines of a text, parsed. */
    public static List<Line> lines(String text) {
        return lines(text.lines().toList());
    }

    public static List<Line> lines(List<String> text) {
        return text.stream().filter(l -> !l.isEmpty()).map(Line::of).toList();
    }

    /** Lines keyed by "path timestamp"; a key sent twice fails. */
    public static Map<String, String> parse(String text) {
        Map<String, String> out = new TreeMap<>();
        for (Line l : lines(text)) {
            String previous = out.put(l.path() + " " + l.timestamp(), l.value());
            assertEquals(null, previous, "line sent twice: " + l);
        }
        return out;
    }

    /** Path to value (a path sent twice keeps its last value). */
    public static Map<String, String> byPath(List<Line> lines) {
        Map<String, String> out = new TreeMap<>();
        lines.forEach(l -> out.put(l.path(), l.value()));
        return out;
    }

    /** The timestamps of the polls whose lines are there, known by their TotalWallClockTime line. */
    public static TreeSet<String> pollTimestamps(List<String> text) {
        TreeSet<String> out = new TreeSet<>();
        for (String l : text) {
            if (l.contains(".haproxystats.TotalWallClockTime ")) {
                out.add(Line.of(l).timestamp());
            }
        }
        return out;
    }

    /** Same keys, and values equal within a relative 1e-9 ("12" equals "12.0"). */
    public static void assertSameValues(Map<String, String> expected, Map<String, String> actual) {
        List<String> missing = new ArrayList<>(expected.keySet());
        missing.removeAll(actual.keySet());
        List<String> extra = new ArrayList<>(actual.keySet());
        extra.removeAll(expected.keySet());
        if (!missing.isEmpty() || !extra.isEmpty()) {
            fail("missing " + missing.size() + " " + head(missing) + "; unexpected " + extra.size() + " "
                    + head(extra));
        }
        expected.forEach((key, value) -> {
            double e = Double.parseDouble(value);
            double a = Double.parseDouble(actual.get(key));
            assertTrue(
                    Math.abs(e - a) <= 1e-9 * Math.max(1, Math.abs(e)),
                    key + ": expected " + value + ", got " + actual.get(key));
        });
    }

    private static List<String> head(List<String> l) {
        return l.subList(0, Math.min(10, l.size()));
    }
}
