package io.haproxystats.common.config.ini;

import io.haproxystats.common.config.ConfigurationException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Raw (not yet interpolated) option values after layering the built-in defaults and every file
 * read, in order; a later layer's value wins. Mirrors {@code ConfigParser.read_dict} and
 * {@code read}: options of {@code [DEFAULT]} are visible in every section unless the section sets
 * its own. Interpolation is lazy ({@link Interpolator}), so an override of {@code [paths] base-dir}
 * in a later file changes every value built from it.
 *
 * <p>Not thread-safe while being built; read-only afterwards.
 */
public final class LayeredConfig {

    public static final String DEFAULT_SECTION = "DEFAULT";

    private final Map<String, String> defaults = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> sections = new LinkedHashMap<>();

    /** Adds one layer: a file, or the defaults table (same shape). */
    public LayeredConfig apply(IniFile file) {
        file.sections().forEach(this::applySection);
        return this;
    }

    public LayeredConfig applySection(String section, Map<String, String> options) {
        if (DEFAULT_SECTION.equals(section)) {
            defaults.putAll(options);
        } else {
            sections.computeIfAbsent(section, s -> new LinkedHashMap<>()).putAll(options);
        }
        return this;
    }

    public boolean hasSection(String section) {
        return sections.containsKey(section);
    }

    /** Section names in the order they were first seen; never includes {@code DEFAULT}. */
    public List<String> sections() {
        return List.copyOf(sections.keySet());
    }

    /**
     * The raw value of an option as seen from a section: its own, else the DEFAULT one.
     * {@code section} may be {@code DEFAULT}. Empty when neither has it.
     *
     * @throws ConfigurationException no such section (configparser's NoSectionError)
     */
    public Optional<String> raw(String section, String option) {
        if (DEFAULT_SECTION.equals(section)) {
            return Optional.ofNullable(defaults.get(option));
        }
        Map<String, String> own = sections.get(section);
        if (own == null) {
            return Optional.empty();
        }
        String value = own.get(option);
        return Optional.ofNullable(value != null ? value : defaults.get(option));
    }

    /** Raw options visible from a section (DEFAULT's merged under the section's own), sorted by name. */
    public Map<String, String> rawItems(String section) {
        Map<String, String> items = new TreeMap<>(defaults);
        if (!DEFAULT_SECTION.equals(section)) {
            items.putAll(sections.getOrDefault(section, Map.of()));
        }
        return Collections.unmodifiableMap(items);
    }

    /** Options a section sets itself (not inherited), in file order. */
    public List<String> ownOptions(String section) {
        return new ArrayList<>(sections.getOrDefault(section, Map.of()).keySet());
    }

    public boolean sectionExists(String section) {
        return DEFAULT_SECTION.equals(section) || sections.containsKey(section);
    }
}
