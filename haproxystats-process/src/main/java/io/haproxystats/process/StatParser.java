package io.haproxystats.process;

import io.haproxystats.common.haproxy.Excerpt;
import io.haproxystats.common.haproxy.MetricCatalogue;
import java.util.ArrayList;
import java.util.Arrays;
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

    private StatParser() {}

    static StatTable parse(String file, String source, String text, Set<String> wanted) throws ParseException {
        return parse(file, source, text, wanted, false);
    }

    /**
     * @param withStatus also keep the text field {@code status} (UP, DOWN 1/2, MAINT, OPEN...) as a
     *                   column, for the state metrics; absent from the table when the header lacks it
     */
    static StatTable parse(String file, String source, String text, Set<String> wanted, boolean withStatus)
            throws ParseException {
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
            throw new ParseException(file, 1, "header lacks pxname or svname: '" + Excerpt.of(header) + "'");
        }
        List<String> fields = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (String field : wanted) {
            Integer position = index.get(field);
            if (position != null && MetricCatalogue.isMetric(field)) {
                fields.add(field);
                positions.add(position);
            }
        }
        // Where each header position goes: a wanted field's slot, the names, or nowhere.
        int[] slotOf = new int[names.size()];
        Arrays.fill(slotOf, SKIP);
        for (int f = 0; f < positions.size(); f++) {
            slotOf[positions.get(f)] = f;
        }
        slotOf[px] = PXNAME;
        slotOf[sv] = SVNAME;
        Integer status = index.get("status");
        if (withStatus && status != null) {
            slotOf[status] = STATUS;
        }
        RowScanner scanner = new RowScanner(file, names.size(), slotOf, fields);
        int lineNo = 1;
        int start = headerEnd < 0 ? text.length() : headerEnd + 1;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            lineNo++;
            int lineStart = start;
            start = end + 1;
            if (isBlank(text, lineStart, end)) {
                continue;
            }
            scanner.scan(text, lineStart, end, lineNo);
        }
        List<String> pxnames = scanner.pxnames;
        List<String> svnames = scanner.svnames;
        List<long[]> rows = scanner.rows;
        boolean keepStatus = withStatus && status != null;
        Table table =
                Table.create(source, StringColumn.create("pxname", pxnames), StringColumn.create("svname", svnames));
        for (int f = 0; f < fields.size(); f++) {
            long[] column = new long[rows.size()];
            for (int r = 0; r < column.length; r++) {
                column[r] = rows.get(r)[f];
            }
            table.addColumns(LongColumn.create(fields.get(f), column));
        }
        if (keepStatus) {
            table.addColumns(StringColumn.create(StatTable.STATUS, scanner.statuses));
        }
        return new StatTable(source, table);
    }

    private static final int SKIP = -1;
    private static final int PXNAME = -2;
    private static final int SVNAME = -3;
    private static final int STATUS = -4;

    private static boolean isBlank(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Character.isWhitespace(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads rows in place: one pass over the characters of a line, converting only the wanted
     * fields and cutting out only the two names, no per-field strings (a 5,500-row, 128-column
     * answer would otherwise make 700,000 of them). The rules are those of {@link #splitCsv}:
     * double quotes enclose a field that may hold commas ({@code ""} is a quote), and the empty
     * field after a line's trailing comma does not count.
     */
    private static final class RowScanner {
        final String file;
        final int width;
        final int[] slotOf;
        final List<String> fieldNames;
        final List<String> pxnames = new ArrayList<>();
        final List<String> svnames = new ArrayList<>();
        final List<String> statuses = new ArrayList<>();
        final List<long[]> rows = new ArrayList<>();

        RowScanner(String file, int width, int[] slotOf, List<String> fieldNames) {
            this.file = file;
            this.width = width;
            this.slotOf = slotOf;
            this.fieldNames = fieldNames;
        }

        void scan(String text, int from, int to, int lineNo) throws ParseException {
            if (to > from && text.charAt(to - 1) == '\r') {
                to--;
            }
            long[] row = new long[fieldNames.size()];
            String pxname = null;
            String svname = null;
            String statusText = "";
            int field = 0;
            int i = from;
            while (i <= to) {
                int slot = field < width ? slotOf[field] : SKIP;
                String quoted = null;
                int valueStart = i;
                int valueEnd;
                if (i < to && text.charAt(i) == '"') {
                    StringBuilder b = new StringBuilder();
                    i = readQuoted(text, i, to, b, file, lineNo);
                    quoted = b.toString();
                    valueEnd = i;
                } else {
                    // A plain loop: fields are a few characters long, where a call to indexOf
                    // per field costs more than it saves (measured: 2x on the large poll).
                    int j = i;
                    while (j < to && text.charAt(j) != ',') {
                        j++;
                    }
                    valueEnd = j;
                    i = j;
                }
                if (slot >= 0) {
                    row[slot] = quoted != null
                            ? parseLong(quoted, file, lineNo, fieldNames.get(slot))
                            : parseLong(text, valueStart, valueEnd, file, lineNo, fieldNames.get(slot));
                } else if (slot == PXNAME) {
                    pxname = quoted != null ? quoted : text.substring(valueStart, valueEnd);
                } else if (slot == SVNAME) {
                    svname = quoted != null ? quoted : text.substring(valueStart, valueEnd);
                } else if (slot == STATUS) {
                    statusText = quoted != null ? quoted : text.substring(valueStart, valueEnd);
                }
                field++;
                i++; // past the comma (or past the end)
            }
            // A line ending with a comma (every HAProxy line does) has no extra empty field.
            int count = to > from && text.charAt(to - 1) == ',' ? field - 1 : field;
            if (count != width) {
                // HAProxy writes every row with the header's field count: fewer means a cut row.
                throw new ParseException(
                        file,
                        lineNo,
                        count + " fields, the header has " + width + (count < width ? " (truncated row?)" : ""));
            }
            pxnames.add(pxname);
            svnames.add(svname);
            statuses.add(statusText);
            rows.add(row);
        }
    }

    /** {@link #parseLong(String, String, int, String)} on {@code text[from, to)}, without a substring. */
    private static long parseLong(String text, int from, int to, String file, int line, String field)
            throws ParseException {
        int length = to - from;
        if (length == 0) {
            return 0;
        }
        int i = from;
        boolean negative = text.charAt(i) == '-';
        if (negative) {
            i++;
        }
        if (i == to || to - i > 18) {
            return slowParse(text.substring(from, to), file, line, field);
        }
        long result = 0;
        for (; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return slowParse(text.substring(from, to), file, line, field);
            }
            result = result * 10 + (c - '0');
        }
        return negative ? -result : result;
    }

    private static long parseLong(String value, String file, int line, String field) throws ParseException {
        return parseLong(value, 0, value.length(), file, line, field);
    }

    private static long slowParse(String value, String file, int line, String field) throws ParseException {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new ParseException(
                    file, line, "field " + field + ": expected an integer, got '" + Excerpt.of(value) + "'");
        }
    }

    /**
     * Reads the quoted field that starts at {@code text[start] == '"'} (ending before {@code end})
     * into {@code field}, {@code ""} being one quote; returns the index just after the closing
     * quote, where a comma or the end of the line must follow.
     */
    private static int readQuoted(String text, int start, int end, StringBuilder field, String file, int lineNo)
            throws ParseException {
        int i = start + 1;
        while (true) {
            if (i >= end) {
                throw new ParseException(file, lineNo, "unterminated quoted field");
            }
            char c = text.charAt(i);
            if (c == '"') {
                if (i + 1 < end && text.charAt(i + 1) == '"') {
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
        if (i < end && text.charAt(i) != ',') {
            throw new ParseException(file, lineNo, "text after a closing quote");
        }
        return i;
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
                i = readQuoted(line, i, n, field, file, lineNo);
                out.add(field.toString());
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
        if (n > 0
                && line.charAt(n - 1) == ','
                && !out.isEmpty()
                && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out;
    }
}
