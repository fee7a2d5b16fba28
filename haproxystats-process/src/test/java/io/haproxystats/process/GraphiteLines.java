package io.haproxystats.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Graphite plaintext lines keyed by "path timestamp", compared numerically. */
final class GraphiteLines {

    private GraphiteLines() {}

    /** Parses lines; every line must be exactly "path value timestamp". */
    static Map<String, String> parse(String text) {
        Map<String, String> out = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(" ");
            assertEquals(3, f.length, "malformed Graphite line: '" + line + "'");
            String previous = out.put(f[0] + " " + f[2], f[1]);
            assertEquals(null, previous, "line sent twice: " + line);
        }
        return out;
    }

    /** Same keys, and values equal within a relative 1e-9 ("12" equals "12.0"). */
    static void assertSameValues(Map<String, String> expected, Map<String, String> actual) {
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
