package io.haproxystats.common.config;

import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Parses option values the way the original does (Python's {@code int()}, {@code float()} and
 * configparser's boolean words), so every value it accepted we accept with the same meaning.
 */
public final class PythonValues {

    private static final Pattern INT = Pattern.compile("[+-]?\\d+(_\\d+)*");
    private static final Pattern DIGITS = Pattern.compile("\\d+(_\\d+)*");
    private static final Pattern FLOAT = Pattern.compile(
            "[+-]?(?:" + DIGITS + "(?:\\.(?:" + DIGITS + ")?)?|\\.(?:" + DIGITS + "))(?:[eE][+-]?" + DIGITS + ")?");
    private static final Pattern SPECIAL_FLOAT = Pattern.compile("[+-]?(inf|infinity|nan)");

    private PythonValues() {}

    /** Python's int(): optional sign, digits with single underscores between them, surrounding blanks. */
    public static OptionalLong parseInt(String value) {
        String s = value.strip();
        if (!INT.matcher(s).matches()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(s.replace("_", "")));
        } catch (NumberFormatException tooLarge) {
            return OptionalLong.empty();
        }
    }

    /** Python's float(): decimal and exponent forms, inf and nan, underscores between digits. */
    public static OptionalDouble parseFloat(String value) {
        String s = value.strip();
        String lower = s.toLowerCase(Locale.ROOT);
        if (SPECIAL_FLOAT.matcher(lower).matches()) {
            boolean negative = lower.startsWith("-");
            if (lower.endsWith("nan")) {
                return OptionalDouble.of(Double.NaN);
            }
            return OptionalDouble.of(negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
        }
        if (!FLOAT.matcher(s).matches()) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Double.parseDouble(s.replace("_", "")));
    }

    /** configparser's getboolean words: 1/yes/true/on and 0/no/false/off, any case; null otherwise. */
    public static Boolean parseBoolean(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "1", "yes", "true", "on" -> Boolean.TRUE;
            case "0", "no", "false", "off" -> Boolean.FALSE;
            default -> null;
        };
    }
}
