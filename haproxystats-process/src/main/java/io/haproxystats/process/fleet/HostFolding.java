package io.haproxystats.process.fleet;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Folds host names the way cluster tools print node sets: {@code lb1 lb2 lb3 lb5} is
 * {@code lb[1-3,5]}; names that differ only in their last number are folded (zero-padded numbers
 * only with numbers of the same width), others are listed after, comma-separated, in order. Pure.
 */
final class HostFolding {

    private static final Pattern NUMBERED = Pattern.compile("(.*?)(\\d+)(\\D*)");

    private HostFolding() {}

    static String fold(Collection<String> names) {
        // (prefix, suffix, width of zero-padded numbers or 0) -> numbers
        // in the order of each group's first name
        Map<List<String>, TreeSet<Long>> groups = new LinkedHashMap<>();
        List<String> plain = new ArrayList<>();
        for (String name : new TreeSet<>(names)) {
            Matcher m = NUMBERED.matcher(name);
            if (!m.matches() || m.group(2).length() > 18) {
                plain.add(name);
                continue;
            }
            String digits = m.group(2);
            String width = digits.length() > 1 && digits.startsWith("0") ? Integer.toString(digits.length()) : "0";
            groups.computeIfAbsent(List.of(m.group(1), m.group(3), width), k -> new TreeSet<>())
                    .add(Long.parseLong(digits));
        }
        List<String> out = new ArrayList<>();
        groups.forEach((key, numbers) -> {
            int width = Integer.parseInt(key.get(2));
            if (numbers.size() == 1) {
                out.add(key.get(0) + pad(numbers.first(), width) + key.get(1));
                return;
            }
            List<String> ranges = new ArrayList<>();
            Long start = null;
            Long previous = null;
            for (long n : numbers) {
                if (start == null) {
                    start = n;
                } else if (n != previous + 1) {
                    ranges.add(range(start, previous, width));
                    start = n;
                }
                previous = n;
            }
            ranges.add(range(start, previous, width));
            out.add(key.get(0) + "[" + String.join(",", ranges) + "]" + key.get(1));
        });
        out.addAll(plain);
        return String.join(",", out);
    }

    private static String range(long from, long to, int width) {
        return from == to ? pad(from, width) : pad(from, width) + "-" + pad(to, width);
    }

    private static String pad(long n, int width) {
        String s = Long.toString(n);
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }
}
