package io.haproxystats.common.config.ini;

import io.haproxystats.common.config.ConfigurationException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ini4j.Config;
import org.ini4j.Ini;
import org.ini4j.Profile;

/**
 * Reads one INI file the way Python's {@code configparser.ConfigParser} (the original's reader) reads
 * it: {@code key = value} and {@code key: value} (split at the first of the two), {@code #} and
 * {@code ;} comment lines (no inline comments), option names case-insensitive, section names
 * case-sensitive, values stripped, and indented continuation lines forming multi-line values.
 *
 * <p>ini4j does the tokenizing of sections and options. It cannot read continuation lines and
 * reports errors against its own line count, so a first pass here classifies every physical line,
 * rejects what configparser rejects (with the physical line number), and hands ini4j one logical
 * line per option, with continuation breaks encoded as a private-use character that cannot occur in
 * a value read from a line. ini4j runs with escapes off (a regex's backslashes stay as written), no
 * tree paths in section names, and its {@code fetch()} is never called (CVE-2022-41404).
 */
public final class IniTokenizer {

    /** Stands for a line break inside a multi-line value while ini4j sees the value as one line. */
    private static final char LINE_BREAK = '\uE000';

    private IniTokenizer() {}

    public static IniFile read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigurationException(file + ": cannot read: " + e.getMessage());
        }
        return parse(file.toString(), text);
    }

    public static IniFile parse(String source, String text) {
        List<LogicalLine> lines = logicalLines(source, text);
        StringBuilder normalised = new StringBuilder();
        for (LogicalLine line : lines) {
            normalised.append(line.text()).append('\n');
        }
        Ini ini = new Ini();
        ini.setConfig(ini4jConfig());
        try {
            ini.load(new StringReader(normalised.toString()));
        } catch (IOException e) {
            // The first pass accepted every line, so this means ini4j and configparser disagree.
            throw new ConfigurationException(source + ": cannot parse: " + e.getMessage());
        }
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        for (String name : ini.keySet()) {
            List<Profile.Section> all = ini.getAll(name);
            if (all.size() > 1) {
                throw new ConfigurationException(source + ": section [" + name + "] appears more than once");
            }
            Profile.Section section = all.get(0);
            Map<String, String> options = new LinkedHashMap<>();
            for (String option : section.keySet()) {
                List<String> values = section.getAll(option);
                if (values.size() > 1) {
                    throw new ConfigurationException(
                            source + ": [" + name + "] " + option + ": option appears more than once in the section");
                }
                options.put(option, decode(values.get(0)));
            }
            sections.put(name, options);
        }
        return new IniFile(source, sections);
    }

    private static Config ini4jConfig() {
        Config config = new Config();
        config.setEscape(false);
        config.setEscapeNewline(false);
        config.setLowerCaseOption(true);
        config.setLowerCaseSection(false);
        config.setMultiSection(true);
        config.setMultiOption(true);
        config.setEmptyOption(true);
        config.setEmptySection(true);
        config.setGlobalSection(false);
        config.setTree(false);
        config.setComment(false);
        config.setHeaderComment(false);
        return config;
    }

    private static String decode(String value) {
        return value == null ? "" : value.replace(LINE_BREAK, '\n');
    }

    private record LogicalLine(String text) {}

    /** Classifies physical lines and joins continuations, following configparser's _read(). */
    private static List<LogicalLine> logicalLines(String source, String text) {
        List<LogicalLine> out = new ArrayList<>();
        String[] physical = text.split("\r\n|\r|\n", -1);
        boolean inSection = false;
        // The option whose value continuation lines extend, and its indentation.
        String optionKey = null;
        List<String> valueParts = null;
        int indentLevel = 0;
        for (int i = 0; i < physical.length; i++) {
            String raw = physical[i];
            int lineNo = i + 1;
            String stripped = raw.strip();
            if (stripped.startsWith("#") || stripped.startsWith(";")) {
                continue;
            }
            if (stripped.isEmpty()) {
                if (valueParts != null) {
                    valueParts.add("");
                }
                continue;
            }
            int indent = raw.length() - raw.stripLeading().length();
            if (valueParts != null && indent > indentLevel) {
                valueParts.add(stripped);
                continue;
            }
            flush(out, optionKey, valueParts);
            optionKey = null;
            valueParts = null;
            indentLevel = indent;
            if (stripped.startsWith("[") && stripped.lastIndexOf(']') > 1) {
                String name = stripped.substring(1, stripped.lastIndexOf(']'));
                out.add(new LogicalLine("[" + name + "]"));
                inSection = true;
                continue;
            }
            if (!inSection) {
                throw new ConfigurationException(source + " line " + lineNo
                        + ": expected a [section] header before any option, got '" + stripped + "'");
            }
            int delimiter = firstDelimiter(stripped);
            if (delimiter < 0) {
                throw new ConfigurationException(source + " line " + lineNo
                        + ": expected 'option = value' or 'option: value', got '" + stripped + "'");
            }
            String option = stripped.substring(0, delimiter).strip();
            if (option.isEmpty()) {
                throw new ConfigurationException(source + " line " + lineNo + ": the option name before '"
                        + stripped.charAt(delimiter) + "' is empty");
            }
            optionKey = option.toLowerCase(Locale.ROOT);
            valueParts = new ArrayList<>();
            valueParts.add(stripped.substring(delimiter + 1).strip());
        }
        flush(out, optionKey, valueParts);
        return out;
    }

    private static int firstDelimiter(String line) {
        int eq = line.indexOf('=');
        int colon = line.indexOf(':');
        if (eq < 0) {
            return colon;
        }
        return colon < 0 ? eq : Math.min(eq, colon);
    }

    private static void flush(List<LogicalLine> out, String option, List<String> parts) {
        if (option == null) {
            return;
        }
        String value = String.join(String.valueOf(LINE_BREAK), parts).stripTrailing();
        // Trailing blank continuation lines are dropped, as configparser does.
        while (value.endsWith(String.valueOf(LINE_BREAK))) {
            value = value.substring(0, value.length() - 1).stripTrailing();
        }
        // ini4j splits at the first '=' or ':'; the name has neither, so writing it with '=' is exact.
        out.add(new LogicalLine(option + " = " + value));
    }
}
