package io.haproxystats.common.config;

import io.haproxystats.common.config.ini.LayeredConfig;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Prints configuration for {@code -p} and {@code -P}: every option of every section the daemon
 * reads, with its value in force: set in a file, the original's default, the built-in value of a
 * newer option, or {@code # option =  (unset)}. {@code [DEFAULT]} keys are printed once, in
 * {@code [DEFAULT]}, not again in each section that inherits them (the original printed them in
 * every section, where they read like group patterns or options of that section); an option of
 * the section that only [DEFAULT] gives is a comment {@code # option = value  (from [DEFAULT])};
 * an option a
 * section does not have (a typo) gets a comment line saying so. The output reads back as the
 * same configuration. Sections sorted by name ({@code DEFAULT} first), options by name.
 */
public final class ConfigPrinter {

    private ConfigPrinter() {}

    /** {@code -p}: what an empty configuration gives, for the sections this daemon reads. */
    public static void printDefaults(PrintWriter out, Predicate<String> sectionFilter) {
        printEffective(out, ConfigLoader.defaultsOnly(), sectionFilter, List.of());
    }

    /** {@code -P}: the effective configuration of the sections this daemon reads. */
    public static void printEffective(
            PrintWriter out,
            EffectiveConfig config,
            Predicate<String> sectionFilter,
            List<KnownOptions.Unknown> unknown) {
        Set<String> sections = new TreeSet<>(printedSections(config, sectionFilter));
        for (String known : List.of(
                "paths",
                "pull",
                "process",
                "graphite",
                KafkaSettings.SECTION,
                KafkaSettings.DISPATCH_SECTION,
                ClusterSettings.SECTION,
                LogsSettings.SECTION,
                OpenMetricsSettings.SECTION,
                FleetSettings.SECTION)) {
            if (sectionFilter.test(known)) {
                sections.add(known);
            }
        }
        for (String section : sections) {
            out.println("[" + section + "]");
            boolean isDefault = LayeredConfig.DEFAULT_SECTION.equals(section);
            Set<String> own = new TreeSet<>(isDefault ? config.items(section).keySet() : config.ownOptions(section));
            if (!isDefault) {
                // A [DEFAULT] value that resolves differently here (${base} of this section) is
                // written here too, so the printed file reads back as the same.
                config.items(LayeredConfig.DEFAULT_SECTION).forEach((option, value) -> {
                    if (!value.equals(config.find(section, option).orElse(value))) {
                        own.add(option);
                    }
                });
            }
            Set<String> options = new TreeSet<>(own);
            options.addAll(KnownOptions.of(section));
            for (String option : options) {
                unknown.stream()
                        .filter(u -> u.section().equals(section) && u.option().equals(option))
                        .findFirst()
                        .ifPresent(u -> out.println("# " + u.message()));
                if (own.contains(option)) {
                    out.println(
                            option + " = " + escape(config.find(section, option).orElse("")));
                } else if (config.find(section, option).isPresent()) {
                    out.println("# " + option + " = "
                            + escape(config.find(section, option).get()) + "  (from [DEFAULT])");
                } else {
                    out.println(KnownOptions.builtIn(section, option, config)
                            .map(v -> option + " = " + v)
                            .orElse("# " + option + " =  (unset)"));
                }
            }
            out.println();
        }
        out.flush();
    }

    /**
     * A resolved value written back so that it reads back as itself: {@code $} is {@code $$}, and
     * the lines of a multi-line value after the first are indented (continuation lines).
     */
    private static String escape(String value) {
        return value.replace("$", "$$").replace("\n", "\n    ");
    }

    /**
     * The configuration as Python's configparser sees it ({@code items()} of each section,
     * [DEFAULT] keys repeated in every section): what the configuration corpus is checked against.
     */
    public static void printConfigParserView(PrintWriter out, EffectiveConfig config, Predicate<String> sectionFilter) {
        for (String section : printedSections(config, sectionFilter)) {
            out.println("[" + section + "]");
            config.items(section).forEach((key, value) -> out.println(key + " = " + value));
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
}
