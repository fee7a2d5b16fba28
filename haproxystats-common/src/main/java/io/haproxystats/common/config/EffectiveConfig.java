package io.haproxystats.common.config;

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
        return find(section, option).orElseThrow(
                () -> ConfigurationException.forOption(section, option, "is required but not set"));
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
            throw ConfigurationException.forOption(section, option,
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
            throw ConfigurationException.forOption(section, option,
                    "must be a number of seconds from " + trim(min) + " to " + trim(max) + ", got '"
                            + get(section, option) + "'");
        }
        return value;
    }

    public boolean getBoolean(String section, String option) {
        String value = get(section, option);
        Boolean parsed = PythonValues.parseBoolean(value);
        if (parsed == null) {
            throw ConfigurationException.forOption(section, option,
                    "must be a boolean (true/false, yes/no, on/off, 1/0), got '" + value + "'");
        }
        return parsed;
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
