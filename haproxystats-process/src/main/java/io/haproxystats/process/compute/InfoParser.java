package io.haproxystats.process.compute;

import io.haproxystats.common.config.PythonValues;
import io.haproxystats.common.haproxy.Excerpt;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Parses a {@code show info} answer: {@code Key: Value} lines, keeping values that are integers
 * (as the original does; {@code Version}, {@code Uptime} and the like are dropped). Pure.
 */
final class InfoParser {

    private InfoParser() {}

    /**
     * @param file   for messages
     * @param source socket name
     * @throws ParseException on binary content, or a non-empty answer that does not start with
     *                        {@code Name: } as every HAProxy version's does (an error text such as
     *                        "Unknown command...: ..." would otherwise pass as Key: Value lines)
     */
    static InfoRecord parse(String file, String source, String text) throws ParseException {
        if (!text.isBlank() && !text.startsWith("Name: ")) {
            int newline = text.indexOf('\n');
            String first = newline < 0 ? text : text.substring(0, newline);
            throw new ParseException(
                    file,
                    1,
                    first.indexOf('\0') >= 0
                            ? "binary data (NUL byte) in a 'show info' answer"
                            : "not a 'show info' answer: expected it to start with 'Name: ', got '" + Excerpt.of(first)
                                    + "'");
        }
        Map<String, Long> values = new HashMap<>();
        int lineNo = 0;
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            lineNo++;
            String line = text.substring(start, end);
            start = end + 1;
            if (line.indexOf('\0') >= 0) {
                throw new ParseException(file, lineNo, "binary data (NUL byte) in a 'show info' answer");
            }
            int colon = line.indexOf(": ");
            if (colon < 0) {
                continue;
            }
            OptionalLong value = PythonValues.parseInt(line.substring(colon + 2));
            if (value.isPresent()) {
                values.put(line.substring(0, colon), value.getAsLong());
            }
        }
        return new InfoRecord(source, values);
    }
}
