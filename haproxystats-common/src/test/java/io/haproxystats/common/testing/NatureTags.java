package io.haproxystats.common.testing;

import io.haproxystats.common.haproxy.Aggregation;
import io.haproxystats.common.haproxy.MetricCatalogue;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks {@link MetricCatalogue} against the nature tags of a real {@code show stat typed} answer
 * (management guide 9.3: {@code F.<iid>.<sid>.<pos>.<name>.<proc>:<origin><nature><scope>:<type>:<value>}).
 * The rule: counters (C), rates (R) and limits (L) are summed; gauges (G) are summed, or averaged
 * when they are configured values (origin C); averages (a) are means; maxima (M) are summed when
 * they count (qmax, rate_max) and taken as the maximum when they are times (rtime_max); ages (A)
 * take the minimum; durations (D) the mean. Text fields, keys (origin K) and the agg_* status
 * codes are not metrics.
 */
public final class NatureTags {

    private NatureTags() {}

    /** Every numeric field of {@code typed} that the catalogue lacks or aggregates against its tag. */
    public static List<String> mismatches(String typed) {
        Set<String> out = new TreeSet<>();
        for (String line : typed.split("\n")) {
            String[] parts = line.split(":", 4);
            if (parts.length < 4 || parts[1].length() != 3) {
                continue;
            }
            String[] position = parts[0].split("\\.");
            if (position.length < 6) {
                continue;
            }
            String name = position[4];
            char origin = parts[1].charAt(0);
            char nature = parts[1].charAt(1);
            if (parts[2].equals("str") || origin == 'K' || name.startsWith("agg_")) {
                continue;
            }
            Set<Aggregation> allowed = allowed(origin, nature, name);
            var actual = MetricCatalogue.aggregation(name);
            if (actual.isEmpty()) {
                out.add(name + " (" + parts[1] + "): not in the catalogue");
            } else if (!allowed.contains(actual.get())) {
                out.add(name + " (" + parts[1] + "): catalogue says " + actual.get() + ", the tag wants " + allowed);
            }
        }
        return new ArrayList<>(out);
    }

    /** The field names of {@code typed}, for checking that it was a real, complete answer. */
    public static Set<String> names(String typed) {
        Set<String> names = new TreeSet<>();
        for (String line : typed.split("\n")) {
            String[] position = line.split(":", 2)[0].split("\\.");
            if (position.length >= 6) {
                names.add(position[4]);
            }
        }
        return names;
    }

    private static Set<Aggregation> allowed(char origin, char nature, String name) {
        return switch (nature) {
            case 'C', 'R', 'L' -> Set.of(Aggregation.SUM);
            case 'G' -> origin == 'C' ? Set.of(Aggregation.MEAN) : Set.of(Aggregation.SUM);
            case 'a' -> Set.of(Aggregation.MEAN, Aggregation.TRAFFIC_MEAN);
            case 'M' -> name.contains("time") ? Set.of(Aggregation.MAX) : Set.of(Aggregation.SUM);
            case 'A' -> Set.of(Aggregation.MIN);
            case 'D' -> Set.of(Aggregation.MEAN);
            default -> Set.of();
        };
    }
}
