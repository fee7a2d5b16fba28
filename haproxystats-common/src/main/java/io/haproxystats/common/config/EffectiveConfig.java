package io.haproxystats.common.config;

import io.haproxystats.common.config.ini.Interpolator;
import io.haproxystats.common.config.ini.LayeredConfig;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The configuration as both daemons see it: the layered raw values with interpolation applied on
 * read, and typed getters whose errors name section, option, value and what was expected. Only the
 * loaders and the settings records use it; nothing past them holds string-keyed options.
 */
public final class EffectiveConfig {

    private final LayeredConfig layers;
    private final Interpolator interpolator;

    public EffectiveConfig(LayeredConfig layers) {
        this.layers = layers;
        this.interpolator = new Interpolator(layers);
    }

    public boolean hasSection(String section) {
        return layers.hasSection(section);
    }

    /** Section names in first-seen order, without DEFAULT. */
    public List<String> sections() {
        return layers.sections();
    }

    /** The options a section sets itself, not inherited ones, in file order. */
    public List<String> ownOptions(String section) {
        return layers.ownOptions(section);
    }

    /** The interpolated value, or empty when neither the section nor DEFAULT sets the option. */
    public Optional<String> find(String section, String option) {
        return layers.raw(section, option).map(raw -> interpolator.resolve(section, option, raw));
    }

    public String get(String section, String option) {
        return find(section, option)
                .orElseThrow(() -> ConfigurationException.forOption(section, option, "is required but not set"));
    }

    /** Every option visible from a section, interpolated, sorted by name (what {@code -P} prints). */
    public Map<String, String> items(String section) {
        Map<String, String> out = new TreeMap<>();
        layers.rawItems(section).forEach((option, raw) -> out.put(option, interpolator.resolve(section, option, raw)));
        return out;
    }

    public long getInt(String section, String option) {
        String value = get(section, option);
        OptionalLong parsed = PythonValues.parseInt(value);
        if (parsed.isEmpty()) {
            throw ConfigurationException.forOption(section, option, "must be an integer, got '" + value + "'");
        }
        return parsed.getAsLong();
    }

    public long getInt(String section, String option, long min, long max) {
        long value = getInt(section, option);
        if (value < min || value > max) {
            throw ConfigurationException.forOption(
                    section,
                    option,
                    "must be an integer from " + min + " to " + max + ", got '" + get(section, option) + "'");
        }
        return value;
    }

    public double getFloat(String section, String option) {
        String value = get(section, option);
        OptionalDouble parsed = PythonValues.parseFloat(value);
        if (parsed.isEmpty()) {
            throw ConfigurationException.forOption(section, option, "must be a number, got '" + value + "'");
        }
        return parsed.getAsDouble();
    }

    /** A number: finite, from {@code min} to {@code max}. */
    public double getSeconds(String section, String option, double min, double max) {
        double value = getFloat(section, option);
        if (!Double.isFinite(value) || value < min || value > max) {
            throw ConfigurationException.forOption(
                    section,
                    option,
                    "must be a number of seconds from " + trim(min) + " to " + trim(max) + ", got '"
                            + get(section, option) + "'");
        }
        return value;
    }

    public boolean getBoolean(String section, String option) {
        String value = get(section, option);
        Boolean parsed = PythonValues.parseBoolean(value);
        if (parsed == null) {
            throw ConfigurationException.forOption(
                    section, option, "must be a boolean (true/false, yes/no, on/off, 1/0), got '" + value + "'");
        }
        return parsed;
    }

    /** A path option: set, not blank, and a name the file system accepts. */
    public Path getPath(String section, String option) {
        String value = get(section, option);
        if (value.isBlank()) {
            throw ConfigurationException.forOption(section, option, "must be a path, got an empty value");
        }
        return path(section, option, value);
    }

    /** An optional path option: empty when unset or blank. */
    public Optional<Path> findPath(String section, String option) {
        return find(section, option).filter(v -> !v.isBlank()).map(v -> path(section, option, v));
    }

    /** {@code value} as the path an option names. */
    public Path path(String section, String option, String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            // A value the file system cannot name (a NUL byte, found by ParsersFuzzTest).
            throw ConfigurationException.forOption(section, option, "not a usable path: " + e.getReason());
        }
    }

    /** Seconds (fractions allowed) from {@code minSeconds} to {@link Durations#MAX_SECONDS}, as a duration. */
    public Duration getDuration(String section, String option, double minSeconds) {
        return Durations.ofSeconds(getSeconds(section, option, minSeconds, Durations.MAX_SECONDS));
    }

    /** {@code [paths] base-dir}: the status files, and the default quarantine and local-store, go there. */
    public Path baseDir() {
        return getPath("paths", "base-dir");
    }

    /** Interpolates every option of the given sections, so a bad reference fails before start. */
    public void resolveAll(List<String> sectionsInOrder) {
        for (String section : sectionsInOrder) {
            items(section);
        }
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
