package io.haproxystats.common.config;

import io.haproxystats.common.haproxy.GraphiteNames;

/**
 * Options that become parts of Graphite paths ({@code [graphite] namespace}, {@code group-namespace},
 * the group names of {@code [*-groups]}): validated at start, so that no accepted setting can make
 * a malformed line. A path component is non-empty, at most {@link GraphiteNames#MAX_COMPONENT_BYTES}
 * bytes of UTF-8, and holds no character {@link GraphiteNames#breaksComponent} refuses (whitespace
 * and every other Unicode space, control and format characters, {@code .}, {@code /}, {@code ;});
 * HAProxy names are sanitised by the same rule instead (they are data, not settings).
 */
final class MetricPathOptions {

    private MetricPathOptions() {}

    /** One path component, or a configuration error naming the option and the offending character. */
    static String component(String section, String option, String value) {
        if (value.isEmpty()) {
            throw ConfigurationException.forOption(
                    section, option, "must be one Graphite path component, got an " + "empty value");
        }
        for (int i = 0; i < value.length(); ) {
            int c = value.codePointAt(i);
            if (GraphiteNames.breaksComponent(c)) {
                throw ConfigurationException.forOption(
                        section,
                        option,
                        "must be one Graphite path component (no dots, whitespace or other Unicode spaces, "
                                + "control or format characters, '/' or ';'), got '" + printable(value) + "'");
            }
            i += Character.charCount(c);
        }
        int bytes = GraphiteNames.utf8Length(value);
        if (bytes > GraphiteNames.MAX_COMPONENT_BYTES) {
            throw ConfigurationException.forOption(
                    section,
                    option,
                    "a Graphite path component is at most " + GraphiteNames.MAX_COMPONENT_BYTES
                            + " bytes of UTF-8 (whisper stores it as a file name), got " + bytes + " bytes");
        }
        return value;
    }

    /** Components joined by dots ({@code loadbalancers.eu}): none empty, each as {@link #component}. */
    static String dottedPath(String section, String option, String value) {
        if (value.isEmpty()) {
            throw ConfigurationException.forOption(
                    section, option, "must be a Graphite path such as " + "'loadbalancers', got an empty value");
        }
        for (String part : value.split("\\.", -1)) {
            if (part.isEmpty()) {
                throw ConfigurationException.forOption(
                        section,
                        option,
                        "must be dot-separated Graphite path " + "components, none empty, got '" + printable(value)
                                + "'");
            }
            component(section, option, part);
        }
        return value;
    }

    private static String printable(String value) {
        StringBuilder out = new StringBuilder();
        value.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\x%02x", c));
            } else if (c >= 0x80 && GraphiteNames.breaksComponent(c)) {
                out.append(String.format("\\u%04x", c)); // a Unicode space or format character is invisible
            } else {
                out.append(Character.toChars(c));
            }
        });
        return out.toString();
    }
}
