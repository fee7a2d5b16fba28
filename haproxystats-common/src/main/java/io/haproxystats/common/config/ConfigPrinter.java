package io.haproxystats.common.config;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Prints configuration as the original's {@code -p} and {@code -P} do: sections sorted by name
 * ({@code DEFAULT} sorts first), each as {@code [name]} then its options sorted as
 * {@code key = value}, then an empty line.
 */
public final class ConfigPrinter {

    private ConfigPrinter() {
    }

    /** {@code -p}: the built-in defaults of the sections this daemon reads. */
    public static void printDefaults(PrintWriter out, Predicate<String> sectionFilter) {
        Map<String, Map<String, String>> sorted = new TreeMap<>(Defaults.table());
        sorted.forEach((section, options) -> {
            if (sectionFilter.test(section)) {
                print(out, section, new TreeMap<>(options));
            }
        });
        out.flush();
    }

    /** {@code -P}: the effective, interpolated configuration of the sections this daemon reads. */
    public static void printEffective(PrintWriter out, EffectiveConfig config, Predicate<String> sectionFilter) {
        printEffective(out, config, sectionFilter, List.of());
    }

    /**
     * {@code -P}, with a comment line before each option the daemon does not know (a typo), so the
     * printed file still reads back as the same configuration.
     */
    public static void printEffective(PrintWriter out, EffectiveConfig config, Predicate<String> sectionFilter,
                                      List<KnownOptions.Unknown> unknown) {
        for (String section : printedSections(config, sectionFilter)) {
            out.println("[" + section + "]");
            config.items(section).forEach((key, value) -> {
                unknown.stream().filter(u -> u.section().equals(section) && u.option().equals(key)).findFirst()
                        .ifPresent(u -> out.println("# " + u.message()));
                out.println(key + " = " + value);
            });
            out.println();
        }
        out.flush();
    }

    /** DEFAULT and every section, sorted, that the filter keeps. */
    public static List<String> printedSections(EffectiveConfig config, Predicate<String> sectionFilter) {
        List<String> sections = new ArrayList<>(config.sections());
        sections.add(LayeredConfig.DEFAULT_SECTION);
        sections.sort(null);
        sections.removeIf(sectionFilter.negate());
        return sections;
    }

    private static void print(PrintWriter out, String section, Map<String, String> options) {
        out.println("[" + section + "]");
        options.forEach((key, value) -> out.println(key + " = " + value));
        out.println();
    }
}
