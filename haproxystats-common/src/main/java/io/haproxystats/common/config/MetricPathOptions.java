package io.haproxystats.common.config;

/**
 * Options that become parts of Graphite paths ({@code [graphite] namespace}, {@code group-namespace},
 * the group names of {@code [*-groups]}): validated at start, so that no accepted setting can make
 * a malformed line. A path component is non-empty and holds no whitespace, control character,
 * {@code .} (the path separator), {@code /} (a directory in carbon's whisper tree) or {@code ;}
 * (the start of Graphite 1.1 tags); HAProxy names are sanitised instead (they are data, not settings).
 */
final class MetricPathOptions {

    private MetricPathOptions() {}

    /** One path component, or a configuration error naming the option and the offending character. */
    static String component(String section, String option, String value) {
        if (value.isEmpty()) {
            throw ConfigurationException.forOption(
                    section, option, "must be one Graphite path component, got an " + "empty value");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '.'
                    || c == '/'
                    || c == ';'
                    || Character.isWhitespace(c)
                    || Character.isISOControl(c)
                    || Character.isSpaceChar(c)) {
                throw ConfigurationException.forOption(
                        section,
                        option,
                        "must be one Graphite path component (no "
                                + "dots, whitespace, control characters, '/' or ';'), got '" + printable(value) + "'");
            }
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
            } else {
                out.append(Character.toChars(c));
            }
        });
        return out.toString();
    }
}
