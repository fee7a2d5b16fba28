package io.haproxystats.common.config.ini;

import io.haproxystats.common.config.ConfigurationException;
import java.util.Locale;
import java.util.Map;

/**
 * Resolves {@code ${option}} and {@code ${section:option}} references with the semantics of Python's
 * {@code configparser.ExtendedInterpolation} (the original's): {@code $$} is a literal {@code $};
 * {@code ${option}} looks in the section being read (DEFAULT included); a referenced value is itself
 * resolved in the section it comes from; more than 10 levels of nesting is an error, which also
 * ends reference cycles.
 */
public final class Interpolator {

    private static final int MAX_DEPTH = 10;

    private final LayeredConfig config;

    public Interpolator(LayeredConfig config) {
        this.config = config;
    }

    /** The interpolated value of an option that exists in (or is inherited by) the section. */
    public String resolve(String section, String option, String raw) {
        StringBuilder out = new StringBuilder();
        interpolate(section, option, raw, config.rawItems(section), out, 1, section, option);
        return out.toString();
    }

    private void interpolate(
            String section,
            String option,
            String rest,
            Map<String, String> map,
            StringBuilder out,
            int depth,
            String topSection,
            String topOption) {
        if (depth > MAX_DEPTH) {
            throw error(
                    topSection,
                    topOption,
                    section,
                    option,
                    "references nest deeper than " + MAX_DEPTH + " levels (a reference cycle?)");
        }
        int i = 0;
        while (i < rest.length()) {
            int dollar = rest.indexOf('$', i);
            if (dollar < 0) {
                out.append(rest, i, rest.length());
                return;
            }
            out.append(rest, i, dollar);
            char next = dollar + 1 < rest.length() ? rest.charAt(dollar + 1) : 0;
            if (next == '$') {
                out.append('$');
                i = dollar + 2;
            } else if (next == '{') {
                int close = rest.indexOf('}', dollar + 2);
                if (close < 0 || close == dollar + 2) {
                    throw error(
                            topSection,
                            topOption,
                            section,
                            option,
                            "bad reference '" + rest.substring(dollar) + "': expected ${option} or ${section:option}");
                }
                String reference = rest.substring(dollar + 2, close);
                i = close + 1;
                String[] path = reference.split(":", -1);
                String refSection;
                String refOption;
                String value;
                if (path.length == 1) {
                    refSection = section;
                    refOption = path[0].toLowerCase(Locale.ROOT);
                    value = map.get(refOption);
                } else if (path.length == 2) {
                    refSection = path[0];
                    refOption = path[1].toLowerCase(Locale.ROOT);
                    value = config.sectionExists(refSection)
                            ? config.raw(refSection, refOption).orElse(null)
                            : null;
                } else {
                    throw error(
                            topSection,
                            topOption,
                            section,
                            option,
                            "bad reference '${" + reference + "}': more than one ':'");
                }
                if (value == null) {
                    throw error(
                            topSection,
                            topOption,
                            section,
                            option,
                            "reference '${" + reference + "}' names no option"
                                    + (path.length == 2
                                            ? " in section [" + refSection + "]"
                                            : " in this section or [DEFAULT]"));
                }
                if (value.indexOf('$') >= 0) {
                    interpolate(
                            refSection,
                            refOption,
                            value,
                            config.rawItems(refSection),
                            out,
                            depth + 1,
                            topSection,
                            topOption);
                } else {
                    out.append(value);
                }
            } else {
                throw error(
                        topSection,
                        topOption,
                        section,
                        option,
                        "'$' must be followed by '$' or '{', found '" + rest.substring(dollar)
                                + "' (write $$ for a literal $)");
            }
        }
    }

    /** Names the option being read and, when the fault is in a value it references, that one too. */
    private static ConfigurationException error(
            String topSection, String topOption, String section, String option, String problem) {
        boolean nested = !(topSection.equals(section) && topOption.equals(option));
        return ConfigurationException.forOption(
                topSection, topOption, problem + (nested ? " (in the value of [" + section + "] " + option + ")" : ""));
    }
}
