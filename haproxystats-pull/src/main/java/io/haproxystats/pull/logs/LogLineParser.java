package io.haproxystats.pull.logs;

import io.haproxystats.common.logs.Timer;
import java.nio.charset.StandardCharsets;

/**
 * Reads one log datagram as HAProxy sends it: a syslog header, then a message in one of HAProxy's
 * standard request formats. Works on the received bytes (no decoding of the whole line, no regular
 * expression: {@code bench/logs-bench.sh} measures it); never throws on any input. One instance per
 * receiving thread: the fields of the last {@link #parse} are kept in it.
 *
 * <p>Headers: RFC 3164 ({@code <PRI>Mmm dd hh:mm:ss [host ]tag[pid]: }, HAProxy's default, also
 * its {@code local} format), RFC 5424 ({@code <PRI>1 TIMESTAMP HOST APP PROCID MSGID SD }, with
 * {@code log ... format rfc5424}), {@code short}/{@code priority} ({@code <PRI>} alone) and
 * {@code raw} (no header).
 *
 * <p>Messages: every format that begins as HAProxy's {@code option httplog}, {@code httpslog} and
 * {@code tcplog} do, in 2.2 to 3.x:
 * {@code %ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST ...} (HTTP, five timers) or
 * {@code %ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B ...} (TCP, three timers); what follows is not read,
 * so a custom {@code log-format} with that beginning is read too. A timer may be {@code -1}
 * (never set: counted as aborted) or start with {@code +} ({@code option logasap}: the time when
 * the line was logged). The frontend's {@code ~} (an SSL listener) is dropped: one proxy, one series.
 *
 * <p>Outcomes: {@link Outcome#REQUEST}; {@link Outcome#OTHER} for HAProxy's own lines under a
 * syslog header that are no request (proxy and server events, {@code Connect from}, connection
 * errors such as {@code fe/bind: SSL handshake failure}); {@link Outcome#UNPARSED} for everything
 * else, with {@link #reason()}.
 */
public final class LogLineParser {

    /** What a datagram was. */
    public enum Outcome {
        REQUEST,
        OTHER,
        UNPARSED
    }

    /** Longest name accepted (HAProxy sets none; a longer one is not a configuration anyone writes). */
    static final int MAX_NAME = 255;

    private String frontend;
    private String backend;
    private String server;
    private Timer[] timers;
    private final long[] values = new long[5];
    private String reason;

    /** The frontend of the last request (without {@code ~}). */
    public String frontend() {
        return frontend;
    }

    /** The backend of the last request. */
    public String backend() {
        return backend;
    }

    /** The server of the last request, or null when HAProxy named none ({@code <NOSRV>}, {@code <STATS>}...). */
    public String server() {
        return server;
    }

    /** The timers of the last request: {@link Timer#HTTP} or {@link Timer#TCP}. */
    public Timer[] timers() {
        return timers;
    }

    /** The last request's value of its {@code i}th timer in {@link #timers()}; -1 when unset. */
    public long value(int i) {
        return values[i];
    }

    /** Why the last datagram was {@link Outcome#UNPARSED}. */
    public String reason() {
        return reason;
    }

    public Outcome parse(byte[] b, int length) {
        int end = length;
        while (end > 0 && (b[end - 1] == '\n' || b[end - 1] == '\r' || b[end - 1] == 0)) {
            end--;
        }
        if (end == 0) {
            return unparsed("empty datagram");
        }
        int msg;
        boolean header = b[0] == '<';
        if (header) {
            msg = afterHeader(b, end);
            if (msg < 0) {
                return Outcome.UNPARSED;
            }
        } else {
            msg = 0;
        }
        return message(b, msg, end, header);
    }

    /** Where the message starts after a syslog header, or -1 (with the reason). */
    private int afterHeader(byte[] b, int end) {
        int i = 1;
        int pri = 0;
        while (i < end && i <= 4 && b[i] >= '0' && b[i] <= '9') {
            pri = pri * 10 + (b[i] - '0');
            i++;
        }
        if (i == 1 || i > 4 || i >= end || b[i] != '>' || pri > 191) {
            unparsed("no syslog priority (<0> to <191>)");
            return -1;
        }
        i++;
        if (i + 1 < end && b[i] == '1' && b[i + 1] == ' ') {
            return afterRfc5424(b, i + 2, end);
        }
        if (i + 16 <= end
                && b[i + 3] == ' '
                && b[i + 6] == ' '
                && b[i + 9] == ':'
                && b[i + 12] == ':'
                && b[i + 15] == ' ') {
            // RFC 3164: "Mmm dd hh:mm:ss ", an optional host name, the tag, ": ".
            for (int j = i + 16; j + 1 < end && j < i + 16 + 2 * MAX_NAME; j++) {
                if (b[j] == ':' && b[j + 1] == ' ') {
                    return j + 2;
                }
                if (b[j] == '[' && j > i + 16 && b[j - 1] == ' ') {
                    break; // the message began: there was no tag
                }
            }
            unparsed("RFC 3164 header without a tag ending in ': '");
            return -1;
        }
        return i; // short / priority: the message follows the priority
    }

    /** RFC 5424: five fields, the structured data ('-' or [elements]), a space, an optional BOM. */
    private int afterRfc5424(byte[] b, int i, int end) {
        for (int field = 0; field < 5; field++) {
            int space = i;
            while (space < end && b[space] != ' ') {
                space++;
            }
            if (space >= end || space == i) {
                unparsed("RFC 5424 header cut short");
                return -1;
            }
            i = space + 1;
        }
        if (i < end && b[i] == '-') {
            i++;
        } else {
            while (i < end && b[i] == '[') {
                i++;
                while (i < end && b[i] != ']') {
                    i += b[i] == '\\' ? 2 : 1;
                }
                i++;
            }
        }
        if (i >= end || b[i] != ' ') {
            unparsed("RFC 5424 structured data not followed by a message");
            return -1;
        }
        i++;
        if (i + 2 < end && (b[i] & 0xff) == 0xEF && (b[i + 1] & 0xff) == 0xBB && (b[i + 2] & 0xff) == 0xBF) {
            i += 3;
        }
        return i;
    }

    private Outcome message(byte[] b, int i, int end, boolean header) {
        // %ci:%cp
        int client = token(b, i, end);
        if (client == i || client >= end || client - i > 128 || client + 1 >= end || b[client + 1] != '[') {
            return header ? Outcome.OTHER : unparsed("not a request log (expected 'client:port [date] ...')");
        }
        // [%tr] or [%t]
        int date = client + 2;
        while (date < end && b[date] != ']' && date - client < 64) {
            date++;
        }
        if (date + 1 >= end || b[date] != ']' || b[date + 1] != ' ') {
            return unparsed("the date in [] is not followed by a frontend");
        }
        // %ft
        int feStart = date + 2;
        int feEnd = token(b, feStart, end);
        if (feEnd >= end) {
            return header ? Outcome.OTHER : unparsed("the line ends after the frontend");
        }
        int feNameEnd = feEnd > feStart && b[feEnd - 1] == '~' ? feEnd - 1 : feEnd;
        for (int k = feStart; k < feEnd; k++) {
            if (b[k] == '/') {
                return header ? Outcome.OTHER : unparsed("a connection error line, not a request");
            }
        }
        if (!validName(b, feStart, feNameEnd)) {
            return unparsed("the frontend name holds a character HAProxy does not allow, or is empty or too long");
        }
        // %b/%s
        int bsStart = feEnd + 1;
        int bsEnd = token(b, bsStart, end);
        if (bsEnd >= end) {
            return unparsed("the line ends after the backend/server field");
        }
        int slash = bsStart;
        while (slash < bsEnd && b[slash] != '/') {
            slash++;
        }
        if (slash == bsEnd) {
            return unparsed("no backend/server field after the frontend");
        }
        if (!validName(b, bsStart, slash)) {
            return unparsed("the backend name holds a character HAProxy does not allow, or is empty or too long");
        }
        boolean placeholder = slash + 2 < bsEnd && b[slash + 1] == '<' && b[bsEnd - 1] == '>';
        if (placeholder) {
            for (int k = slash + 2; k < bsEnd - 1; k++) {
                if (b[k] < 'A' || b[k] > 'Z') {
                    return unparsed("the server is neither a name nor one of HAProxy's <WORD>s");
                }
            }
        } else if (!validName(b, slash + 1, bsEnd)) {
            return unparsed("the server name holds a character HAProxy does not allow, or is empty or too long");
        }
        // The timers: five (HTTP) or three (TCP) integers separated by '/'.
        int tStart = bsEnd + 1;
        int tEnd = token(b, tStart, end);
        int n = 0;
        int k = tStart;
        while (k < tEnd) {
            if (n == 5) {
                return unparsed("more than five timers");
            }
            boolean plus = b[k] == '+';
            if (plus) {
                k++;
            }
            boolean minus = k < tEnd && b[k] == '-';
            if (minus) {
                k++;
            }
            int digits = k;
            long v = 0;
            while (k < tEnd && b[k] >= '0' && b[k] <= '9' && k - digits < 12) {
                v = v * 10 + (b[k] - '0');
                k++;
            }
            if (k == digits || (minus && (v != 1 || plus))) {
                return unparsed("a timer is not a number of milliseconds or -1");
            }
            values[n++] = minus ? -1 : v;
            if (k < tEnd) {
                if (b[k] != '/') {
                    return unparsed("a timer is not a number of milliseconds or -1");
                }
                k++;
                if (k == tEnd) {
                    return unparsed("the timers end with '/'");
                }
            }
        }
        if (n == 5) {
            timers = Timer.HTTP;
        } else if (n == 3) {
            timers = Timer.TCP;
        } else {
            return unparsed("expected 5 timers (TR/Tw/Tc/Tr/Ta) or 3 (Tw/Tc/Tt), found " + n);
        }
        // %ST (HTTP) or %B (TCP): an integer, so that a look-alike line is not taken for a request.
        int next = tEnd + 1;
        int nextEnd = next < end ? token(b, next, end) : next;
        int d = next < nextEnd && b[next] == '-' ? next + 1 : next;
        if (d >= nextEnd || nextEnd - d > 20) {
            return unparsed("no status or byte count after the timers");
        }
        for (int j = d; j < nextEnd; j++) {
            if (b[j] < '0' || b[j] > '9') {
                return unparsed("no status or byte count after the timers");
            }
        }
        frontend = ascii(b, feStart, feNameEnd);
        backend = ascii(b, bsStart, slash);
        server = placeholder ? null : ascii(b, slash + 1, bsEnd);
        return Outcome.REQUEST;
    }

    /** The index of the first space at or after {@code from}, or {@code end}. */
    private static int token(byte[] b, int from, int end) {
        int i = from;
        while (i < end && b[i] != ' ') {
            i++;
        }
        return i;
    }

    /** HAProxy's rule for proxy and server names: A-Z a-z 0-9 - _ . : (and a length bound). */
    static boolean validName(byte[] b, int from, int to) {
        if (to <= from || to - from > MAX_NAME) {
            return false;
        }
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (!(c >= 'a' && c <= 'z'
                    || c >= 'A' && c <= 'Z'
                    || c >= '0' && c <= '9'
                    || c == '-'
                    || c == '_'
                    || c == '.'
                    || c == ':')) {
                return false;
            }
        }
        return true;
    }

    private static String ascii(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }

    private Outcome unparsed(String why) {
        reason = why;
        return Outcome.UNPARSED;
    }
}
