package io.haproxystats.process.compute;

import io.haproxystats.common.haproxy.Excerpt;
import io.haproxystats.common.haproxy.MetricCatalogue;
import java.io.ByteArrayOutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses a {@code show stat} answer of any HAProxy version from 1.5 to 3.x into a {@link StatTable}.
 * Columns are found by header name, never by position: the header's {@code # } prefix is dropped,
 * the trailing comma ignored, the 2.3+ {@code -} separator and module columns after it tolerated,
 * and quoted fields ({@code "a,b"}) read as one field. Only the numeric fields in {@code wanted}
 * are converted; a non-integer there is an error naming file, line and column. Pure.
 *
 * <p>One pass over the answer's bytes as the puller wrote them (UTF-8), straight into one primitive
 * array per wanted field: no decoded copy of the text, no string per field, no row arrays to
 * transpose. Only the names ({@code pxname}, {@code svname}) and {@code status} become strings,
 * each distinct one once per answer (a backend's name repeats on every server row, a server's name
 * in every backend).
 */
public final class StatParser {

    private StatParser() {}

    public static StatTable parse(String file, String source, String text, Set<String> wanted) throws ParseException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return parse(file, source, bytes, 0, bytes.length, wanted, false);
    }

    /**
     * @param answer     holds the answer at {@code offset}, {@code length} bytes (a buffer reused
     *                   between files, or a whole poll container: nothing outside is read)
     * @param withStatus also keep the text field {@code status} (UP, DOWN 1/2, MAINT, OPEN...) as a
     *                   column, for the state metrics; absent from the table when the header lacks it
     */
    public static StatTable parse(
            String file, String source, byte[] answer, int offset, int length, Set<String> wanted, boolean withStatus)
            throws ParseException {
        try {
            return new Scan(file, source, answer, offset, length, wanted, withStatus).table();
        } catch (ParseException e) {
            // A NUL byte anywhere is the reason given, whatever else the scan tripped on first.
            throw hasNul(answer, offset, offset + length) ? binary(file) : e;
        }
    }

    private static ParseException binary(String file) {
        return new ParseException(file, 0, "binary data (NUL byte) in a 'show stat' answer");
    }

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;
    private static final long COMMAS = 0x2C2C2C2C2C2C2C2CL;
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    private static final long QUOTES = 0x2222222222222222L;

    /** 0x80 in each byte of {@code x} that is zero, 0 elsewhere (exact: no false positives). */
    private static long zeros(long x) {
        return ~(((x & LOW7) + LOW7) | x | LOW7);
    }

    private static final int SKIP = -1;
    private static final int PXNAME = -2;
    private static final int SVNAME = -3;
    private static final int STATUS = -4;

    /** The state of one parse: the answer, where each field goes, and the columns being filled. */
    private static final class Scan {
        final String file;
        final String source;
        final byte[] b;
        final int n;
        final int width;
        final int[] slotOf;
        final List<String> fieldNames = new ArrayList<>();
        final boolean keepStatus;
        /** How many fields from each position on are not read (so they can be stepped over together). */
        final int[] skipRun;

        final Names names = new Names();
        /** Set by {@link #skip}: fields stepped over, and whether the line ended among them. */
        int skipped;

        boolean skipEndedLine;
        /** Row-major: the wanted fields of row r are data[r * stride ...]: one row's writes are together. */
        long[] data;

        int stride;
        String[] pxnames;
        String[] svnames;
        String[] statuses;
        int rows;
        boolean nul;

        Scan(String file, String source, byte[] answer, int offset, int length, Set<String> wanted, boolean withStatus)
                throws ParseException {
            this.file = file;
            this.source = source;
            this.b = answer;
            this.n = offset + length; // the scan's end: every index below runs from offset to n
            int headerEnd = indexOf(b, (byte) '\n', offset, n);
            String header = new String(b, offset, (headerEnd < 0 ? n : headerEnd) - offset, StandardCharsets.UTF_8);
            if (!header.startsWith("# ")) {
                throw new ParseException(file, 1, "not a 'show stat' answer: the header must start with '# pxname,'");
            }
            List<String> headerNames = splitCsv(header.substring(2), file, 1);
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < headerNames.size(); i++) {
                index.putIfAbsent(headerNames.get(i).strip(), i);
            }
            Integer px = index.get("pxname");
            Integer sv = index.get("svname");
            if (px == null || sv == null) {
                throw new ParseException(file, 1, "header lacks pxname or svname: '" + Excerpt.of(header) + "'");
            }
            this.width = headerNames.size();
            // Where each header position goes: a wanted field's slot, the names, or nowhere.
            this.slotOf = new int[width];
            Arrays.fill(slotOf, SKIP);
            for (String field : wanted) {
                Integer position = index.get(field);
                if (position != null && MetricCatalogue.isMetric(field)) {
                    slotOf[position] = fieldNames.size();
                    fieldNames.add(field);
                }
            }
            slotOf[px] = PXNAME;
            slotOf[sv] = SVNAME;
            Integer status = index.get("status");
            this.keepStatus = withStatus && status != null;
            if (keepStatus) {
                slotOf[status] = STATUS;
            }
            this.skipRun = new int[width + 1];
            for (int p = width - 1; p >= 0; p--) {
                skipRun[p] = slotOf[p] == SKIP ? skipRun[p + 1] + 1 : 0;
            }
            nul = hasNul(b, offset, headerEnd < 0 ? n : headerEnd);
            int capacity = Math.max(16, length / 256); // rows are 300 to 600 bytes: rarely grown
            stride = fieldNames.size();
            data = new long[capacity * stride];
            pxnames = new String[capacity];
            svnames = new String[capacity];
            statuses = keepStatus ? new String[capacity] : null;
            int lineNo = 1;
            int i = headerEnd < 0 ? n : headerEnd + 1;
            while (i < n) {
                lineNo++;
                byte first = b[i];
                if (first == '\n') {
                    i++;
                    continue;
                }
                if (first < 0 || isAsciiWhitespace(first)) {
                    int end = indexOf(b, (byte) '\n', i, n);
                    end = end < 0 ? n : end;
                    if (isBlank(b, i, end)) {
                        i = end + 1;
                        continue;
                    }
                }
                i = row(i, lineNo);
            }
            if (nul) {
                throw binary(file);
            }
        }

        StatTable table() {
            Map<String, Integer> index = new LinkedHashMap<>();
            for (int f = 0; f < fieldNames.size(); f++) {
                index.put(fieldNames.get(f), f);
            }
            return new StatTable(source, pxnames, svnames, statuses, index, data, stride, rows);
        }

        /** Reads the row starting at {@code start}; returns where the next line starts. */
        int row(int start, int lineNo) throws ParseException {
            if (rows == pxnames.length) {
                grow();
            }
            int r = rows;
            int base = r * stride;
            String pxname = null;
            String svname = null;
            String statusText = "";
            int field = 0;
            int i = start;
            int lineEnd;
            while (true) {
                int run = field < width ? skipRun[field] : 0;
                if (run > 0 && i < n && b[i] != '"') {
                    int j = skip(i, run);
                    field += skipped;
                    if (skipEndedLine) {
                        lineEnd = j;
                        break;
                    }
                    i = j;
                    if (skipped == run || i >= n || b[i] == '"') {
                        continue; // at the next field to read, or at a quoted one to read in full
                    }
                }
                int slot = field < width ? slotOf[field] : SKIP;
                int valueStart = i;
                int valueEnd;
                String quoted = null;
                int j = i;
                if (j < n && b[j] == '"') {
                    ByteArrayOutputStream value = new ByteArrayOutputStream();
                    j = readQuoted(b, n, j, value, file, lineNo);
                    nul |= hasNul(b, i, j);
                    quoted = value.toString(StandardCharsets.UTF_8);
                    valueEnd = j;
                } else {
                    if (slot >= 0) {
                        // The common number: digits (an optional minus) up to the comma or the
                        // newline, converted as they are read. Anything else takes the full path.
                        boolean negative = j < n && b[j] == '-';
                        int digits = negative ? j + 1 : j;
                        int k = digits;
                        long v = 0;
                        while (k < n) {
                            int d = b[k] - '0';
                            if (d < 0 || d > 9) {
                                break;
                            }
                            v = v * 10 + d;
                            k++;
                        }
                        if ((k >= n || b[k] == ',' || b[k] == '\n') && k - digits <= 18 && (k > digits || !negative)) {
                            data[base + slot] = negative ? -v : v;
                            j = k;
                            field++;
                            if (j >= n || b[j] == '\n') {
                                lineEnd = j;
                                break;
                            }
                            i = j + 1;
                            continue;
                        }
                    }
                    // A plain loop: fields are a few bytes long, where a call per field costs more
                    // than it saves. Every byte of the answer passes here once, so the NUL check too.
                    boolean zero = false;
                    while (j < n) {
                        byte c = b[j];
                        if (c == ',' || c == '\n') {
                            break;
                        }
                        zero |= c == 0;
                        j++;
                    }
                    nul |= zero;
                    valueEnd = j;
                    if ((j >= n || b[j] == '\n') && valueEnd > valueStart && b[valueEnd - 1] == '\r') {
                        valueEnd--; // the line's CR of a CRLF ending
                    }
                }
                if (slot >= 0) {
                    data[base + slot] = quoted != null
                            ? parseLong(quoted, fieldNames.get(slot), lineNo)
                            : parseLong(valueStart, valueEnd, fieldNames.get(slot), lineNo);
                } else if (slot == PXNAME) {
                    pxname = quoted != null ? quoted : names.get(b, valueStart, valueEnd);
                } else if (slot == SVNAME) {
                    svname = quoted != null ? quoted : names.get(b, valueStart, valueEnd);
                } else if (slot == STATUS) {
                    statusText = quoted != null ? quoted : names.get(b, valueStart, valueEnd);
                }
                field++;
                if (j >= n || b[j] == '\n' || (quoted != null && isLineEnd(b, n, j))) {
                    lineEnd = j >= n || b[j] == '\n' ? j : indexOf(b, (byte) '\n', j, n);
                    lineEnd = lineEnd < 0 ? n : lineEnd;
                    break;
                }
                i = j + 1; // past the comma
            }
            int to = lineEnd > start && b[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
            // A line ending with a comma (every HAProxy line does) has no extra empty field.
            int count = to > start && b[to - 1] == ',' ? field - 1 : field;
            if (count != width) {
                // HAProxy writes every row with the header's field count: fewer means a cut row.
                throw new ParseException(
                        file,
                        lineNo,
                        count + " fields, the header has " + width + (count < width ? " (truncated row?)" : ""));
            }
            pxnames[r] = pxname;
            svnames[r] = svname;
            if (statuses != null) {
                statuses[r] = statusText;
            }
            rows++;
            return lineEnd + 1;
        }

        /**
         * Steps over up to {@code k} unquoted fields from the field start {@code i}, eight bytes at
         * a time while no byte of the word is a newline, a quote or a NUL (commas counted with
         * SWAR bit tricks), else one byte at a time. Stops early before a field that starts with a
         * quote, and at the end of the line (the field it ends counted). Sets {@link #skipped} and
         * {@link #skipEndedLine}; returns the next field's start, or the line's end ('\n' or n).
         */
        private int skip(int i, int k) {
            int done = 0;
            skipEndedLine = false;
            while (done < k) {
                if (i + 8 <= n) {
                    long w = (long) LONG.get(b, i);
                    long stops = zeros(w ^ NEWLINES) | zeros(w ^ QUOTES) | zeros(w);
                    if (stops == 0) {
                        long commas = zeros(w ^ COMMAS);
                        int c = Long.bitCount(commas);
                        if (done + c < k) {
                            done += c;
                            i += 8;
                            continue;
                        }
                        for (int t = k - done; t > 1; t--) {
                            commas &= commas - 1;
                        }
                        skipped = k;
                        return i + (Long.numberOfTrailingZeros(commas) >>> 3) + 1;
                    }
                }
                // One field, byte by byte.
                if (i < n && b[i] == '"') {
                    break; // a quoted field: the caller reads it
                }
                while (i < n) {
                    byte c = b[i];
                    if (c == ',' || c == '\n') {
                        break;
                    }
                    nul |= c == 0;
                    i++;
                }
                done++;
                if (i >= n || b[i] == '\n') {
                    skipEndedLine = true;
                    break;
                }
                i++; // past the comma
            }
            skipped = done;
            return i;
        }

        private void grow() {
            int capacity = pxnames.length * 2;
            data = Arrays.copyOf(data, capacity * stride);
            pxnames = Arrays.copyOf(pxnames, capacity);
            svnames = Arrays.copyOf(svnames, capacity);
            if (statuses != null) {
                statuses = Arrays.copyOf(statuses, capacity);
            }
        }

        /** A number in {@code b[from, to)}: digits with an optional minus, else the slow path's rules. */
        private long parseLong(int from, int to, String field, int line) throws ParseException {
            if (from == to) {
                return 0; // an empty field is 0, as the original's fillna(0) makes it
            }
            int i = from;
            boolean negative = b[i] == '-';
            if (negative) {
                i++;
            }
            if (i == to || to - i > 18) {
                return slowParse(new String(b, from, to - from, StandardCharsets.UTF_8), field, line);
            }
            long result = 0;
            for (; i < to; i++) {
                int c = b[i] - '0';
                if (c < 0 || c > 9) {
                    return slowParse(new String(b, from, to - from, StandardCharsets.UTF_8), field, line);
                }
                result = result * 10 + c;
            }
            return negative ? -result : result;
        }

        private long parseLong(String value, String field, int line) throws ParseException {
            if (value.isEmpty()) {
                return 0;
            }
            return slowParse(value, field, line);
        }

        private long slowParse(String value, String field, int line) throws ParseException {
            try {
                return Long.parseLong(value.strip());
            } catch (NumberFormatException e) {
                throw new ParseException(
                        file, line, "field " + field + ": expected an integer, got '" + Excerpt.of(value) + "'");
            }
        }
    }

    /**
     * Each distinct name of one answer as one string: a small open-addressing table over the bytes,
     * so a name seen before costs a hash and a compare, no allocation, and its string (with its
     * cached hash code) is the same object on every row.
     */
    private static final class Names {
        private String[] strings = new String[256];
        private int[] hashes = new int[256];
        private int size;

        String get(byte[] b, int from, int to) {
            int h = 1;
            for (int i = from; i < to; i++) {
                h = 31 * h + b[i];
            }
            int mask = strings.length - 1;
            int slot = (h ^ (h >>> 16)) & mask;
            while (strings[slot] != null) {
                if (hashes[slot] == h && sameBytes(strings[slot], b, from, to)) {
                    return strings[slot];
                }
                slot = (slot + 1) & mask;
            }
            String s = new String(b, from, to - from, StandardCharsets.UTF_8);
            strings[slot] = s;
            hashes[slot] = h;
            if (++size * 2 > strings.length) {
                rehash();
            }
            return s;
        }

        /** The string's UTF-8 bytes equal {@code b[from, to)}; ASCII names compare without encoding. */
        private static boolean sameBytes(String s, byte[] b, int from, int to) {
            int length = to - from;
            if (s.length() == length) {
                boolean ascii = true;
                for (int i = 0; i < length; i++) {
                    char c = s.charAt(i);
                    if (c >= 0x80) {
                        ascii = false;
                        break;
                    }
                    if (c != b[from + i]) {
                        return false;
                    }
                }
                if (ascii) {
                    return true;
                }
            }
            byte[] encoded = s.getBytes(StandardCharsets.UTF_8);
            return Arrays.equals(encoded, 0, encoded.length, b, from, to);
        }

        private void rehash() {
            String[] oldStrings = strings;
            int[] oldHashes = hashes;
            strings = new String[oldStrings.length * 2];
            hashes = new int[oldStrings.length * 2];
            int mask = strings.length - 1;
            for (int k = 0; k < oldStrings.length; k++) {
                if (oldStrings[k] != null) {
                    int h = oldHashes[k];
                    int slot = (h ^ (h >>> 16)) & mask;
                    while (strings[slot] != null) {
                        slot = (slot + 1) & mask;
                    }
                    strings[slot] = oldStrings[k];
                    hashes[slot] = h;
                }
            }
        }
    }

    private static int indexOf(byte[] b, byte value, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static boolean hasNul(byte[] b, int from, int to) {
        return indexOf(b, (byte) 0, from, to) >= 0;
    }

    /** {@link Character#isWhitespace} for an ASCII byte: tab to CR, the four separators, space. */
    private static boolean isAsciiWhitespace(byte c) {
        return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20);
    }

    /** The line holds only whitespace (by {@link Character#isWhitespace}, non-ASCII decoded first). */
    private static boolean isBlank(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] < 0) {
                return new String(b, from, to - from, StandardCharsets.UTF_8)
                        .chars()
                        .allMatch(Character::isWhitespace);
            }
            if (!isAsciiWhitespace(b[i])) {
                return false;
            }
        }
        return true;
    }

    /** True at a CR that ends its line (CRLF, or a CR as the text's last byte). */
    private static boolean isLineEnd(byte[] b, int n, int k) {
        return k < n && b[k] == '\r' && (k + 1 >= n || b[k + 1] == '\n');
    }

    /**
     * Reads the quoted field that starts at {@code b[start] == '"'} into {@code value}, {@code ""}
     * being one quote; returns the index just after the closing quote, where a comma or the end
     * of the line must follow. The header and the rows are read by this one rule.
     */
    private static int readQuoted(byte[] b, int n, int start, ByteArrayOutputStream value, String file, int lineNo)
            throws ParseException {
        int i = start + 1;
        while (true) {
            if (i >= n || b[i] == '\n' || isLineEnd(b, n, i)) {
                throw new ParseException(file, lineNo, "unterminated quoted field");
            }
            byte c = b[i];
            if (c == '"') {
                if (i + 1 < n && b[i + 1] == '"') {
                    value.write('"');
                    i += 2;
                    continue;
                }
                i++;
                break;
            }
            value.write(c);
            i++;
        }
        if (i < n && b[i] != ',' && b[i] != '\n' && !isLineEnd(b, n, i)) {
            throw new ParseException(file, lineNo, "text after a closing quote");
        }
        return i;
    }

    /** Splits one CSV line; double quotes enclose a field that may hold commas ({@code ""} is a quote). */
    public static List<String> splitCsv(String line, String file, int lineNo) throws ParseException {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        int n = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i <= n) {
            if (i < n && b[i] == '"') {
                ByteArrayOutputStream field = new ByteArrayOutputStream();
                i = readQuoted(b, n, i, field, file, lineNo);
                out.add(field.toString(StandardCharsets.UTF_8));
                i++;
            } else {
                int comma = indexOf(b, (byte) ',', i, n);
                comma = comma < 0 ? n : comma;
                out.add(new String(b, i, comma - i, StandardCharsets.UTF_8));
                i = comma + 1;
            }
        }
        // A line ending with a comma (every HAProxy line does) yields no extra empty field.
        if (n > 0
                && b[n - 1] == ','
                && !out.isEmpty()
                && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out;
    }
}
