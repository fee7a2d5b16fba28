package io.haproxystats.process;

import io.haproxystats.common.haproxy.MetricCatalogue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Parses a {@code show stat} answer of any HAProxy version from 1.5 to 3.x into a {@link StatTable}.
 * Columns are found by header name, never by position: the header's {@code # } prefix is dropped,
 * the trailing comma ignored, the 2.3+ {@code -} separator and module columns after it tolerated,
 * and quoted fields ({@code "a,b"}) read as one field. Only the numeric fields in {@code wanted}
 * are converted; a non-integer there is an error naming file, line and column. Pure.
 *
 * <p>One pass over the text into primitive arrays, then one Tablesaw column per field: Tablesaw's
 * CSV reader infers types per file (an all-empty column becomes text) and drops the {@code #}
 * header as a comment, so it is not used for reading.
 */
final class StatParser {

    private StatParser() {
    }

    static StatTable parse(String file, String source, String text, Set<String> wanted) throws ParseException {
        if (text.indexOf('\0') >= 0) {
            throw new ParseException(file, 0, "binary data (NUL byte) in a 'show stat' answer");
        }
        int headerEnd = text.indexOf('\n');
        String header = headerEnd < 0 ? text : text.substring(0, headerEnd);
        if (!header.startsWith("# ")) {
            throw new ParseException(file, 1, "not a 'show stat' answer: the header must start with '# pxname,'");
        }
        List<String> names = splitCsv(header.substring(2), file, 1);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            index.putIfAbsent(names.get(i).strip(), i);
        }
        Integer px = index.get("pxname");
        Integer sv = index.get("svname");
        if (px == null || sv == null) {
            throw new ParseException(file, 1, "header lacks pxname or svname: '" + InfoParser.abbreviate(header) + "'");
        }
        List<String> fields = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (String field : wanted) {
            Integer position = index.get(field);
            if (position != null && MetricCatalogue.STAT_FIELDS.contains(field)) {
                fields.add(field);
                positions.add(position);
            }
        }
        List<String> pxnames = new ArrayList<>();
        List<String> svnames = new ArrayList<>();
        List<long[]> rows = new ArrayList<>();
        int lineNo = 1;
        int start = headerEnd < 0 ? text.length() : headerEnd + 1;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            lineNo++;
            String line = text.substring(start, end);
            start = end + 1;
            if (line.isBlank()) {
                continue;
            }
            List<String> values = splitCsv(line, file, lineNo);
            if (values.size() != names.size()) {
                // HAProxy writes every row with the header's field count: fewer means a cut row.
                throw new ParseException(file, lineNo, values.size() + " fields, the header has " + names.size()
                        + (values.size() < names.size() ? " (truncated row?)" : ""));
            }
            long[] row = new long[fields.size()];
            for (int f = 0; f < fields.size(); f++) {
                int position = positions.get(f);
                row[f] = parseLong(values.get(position), file, lineNo, fields.get(f));
            }
            pxnames.add(values.get(px));
            svnames.add(values.get(sv));
            rows.add(row);
        }
        Table table = Table.create(source,
                StringColumn.create("pxname", pxnames),
                StringColumn.create("svname", svnames));
        for (int f = 0; f < fields.size(); f++) {
            long[] column = new long[rows.size()];
            for (int r = 0; r < column.length; r++) {
                column[r] = rows.get(r)[f];
            }
            table.addColumns(LongColumn.create(fields.get(f), column));
        }
        return new StatTable(source, table);
    }

    private static long parseLong(String value, String file, int line, String field) throws ParseException {
        int length = value.length();
        if (length == 0) {
            return 0;
        }
        long result = 0;
        int i = 0;
        boolean negative = value.charAt(0) == '-';
        if (negative) {
            i = 1;
        }
        if (i == length || length - i > 18) {
            return slowParse(value, file, line, field);
        }
        for (; i < length; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return slowParse(value, file, line, field);
            }
            result = result * 10 + (c - '0');
        }
        return negative ? -result : result;
    }

    private static long slowParse(String value, String file, int line, String field) throws ParseException {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new ParseException(file, line, "field " + field + ": expected an integer, got '"
                    + InfoParser.abbreviate(value) + "'");
        }
    }

    /** Splits one CSV line; double quotes enclose a field that may hold commas ({@code ""} is a quote). */
    static List<String> splitCsv(String line, String file, int lineNo) throws ParseException {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = line.length();
        if (n > 0 && line.charAt(n - 1) == '\r') {
            n--;
        }
        while (i <= n) {
            if (i < n && line.charAt(i) == '"') {
                StringBuilder field = new StringBuilder();
                i++;
                while (true) {
                    if (i >= n) {
                        throw new ParseException(file, lineNo, "unterminated quoted field");
                    }
                    char c = line.charAt(i);
                    if (c == '"') {
                        if (i + 1 < n && line.charAt(i + 1) == '"') {
                            field.append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    field.append(c);
                    i++;
                }
                out.add(field.toString());
                if (i < n && line.charAt(i) != ',') {
                    throw new ParseException(file, lineNo, "text after a closing quote");
                }
                i++;
            } else {
                int comma = line.indexOf(',', i);
                if (comma < 0 || comma > n) {
                    comma = n;
                }
                out.add(line.substring(i, comma));
                i = comma + 1;
            }
        }
        // A line ending with a comma (every HAProxy line does) yields no extra empty field.
        if (n > 0 && line.charAt(n - 1) == ',' && !out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out;
    }
}
