package io.haproxystats.common.config.ini;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sections of one INI file in file order, each with its options in file order. Option names are
 * lower case; values are stripped, multi-line values joined with {@code \n}. The {@code DEFAULT}
 * section is kept like any other; {@link LayeredConfig} gives it its meaning.
 *
 * @param source   where it was read from, for messages
 * @param sections section name to its options
 */
public record IniFile(String source, Map<String, Map<String, String>> sections) {

    public IniFile {
        var copy = new LinkedHashMap<String, Map<String, String>>();
        sections.forEach((name, options) -> copy.put(name, Collections.unmodifiableMap(new LinkedHashMap<>(options))));
        sections = Collections.unmodifiableMap(copy);
    }
}
