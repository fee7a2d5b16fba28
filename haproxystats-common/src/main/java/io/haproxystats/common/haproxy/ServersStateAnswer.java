package io.haproxystats.common.haproxy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code show servers state} answer (HAProxy 1.6 to 3.x, format version 1): a version line, a
 * {@code # be_id be_name srv_id srv_name ...} header, then one space-separated row per server.
 * Fields are found by header name; the backend, the server and its operational and administrative
 * states are kept. Read by the processor ({@code [pull] commands} with servers-state) and by
 * {@code haproxystats-pull --show-servers}. Pure.
 */
public record ServersStateAnswer(List<Row> rows) {

    /** How every answer starts: the format version line, then the header. */
    public static final String ANSWER_PREFIX = "1\n# ";

    /** {@code srv_op_state} 0..3 (HAProxy's enum srv_state: stopped, starting, running, stopping). */
    public static final List<String> OPERATIONAL = List.of("DOWN", "STARTING", "UP", "STOPPING");
    /** {@code srv_admin_state} bits 0x01..0x40, in HAProxy's order (enum srv_admin). */
    public static final List<String> ADMIN_BITS =
            List.of("FMAINT", "IMAINT", "CMAINT", "FDRAIN", "IDRAIN", "RMAINT", "HMAINT");

    private static final int MAINT_BITS = 0x01 | 0x02 | 0x04 | 0x20 | 0x40;
    private static final int DRAIN_BITS = 0x08 | 0x10;

    /**
     * @param opState    {@code srv_op_state}, an index of {@link #OPERATIONAL} (a larger value is
     *                   kept as it is and counted nowhere)
     * @param adminState {@code srv_admin_state}: bit set of the MAINT and DRAIN causes
     */
    public record Row(String backend, String server, int opState, int adminState) {

        /** DOWN, STARTING, UP, STOPPING. */
        public String operational() {
            return opState < OPERATIONAL.size() ? OPERATIONAL.get(opState) : "UNKNOWN(" + opState + ")";
        }

        /**
         * MAINT when a maintenance cause is set (forced, inherited, configured, resolution,
         * hostname), else DRAIN when a drain cause is (forced, inherited), else READY.
         */
        public String admin() {
            if ((adminState & MAINT_BITS) != 0) {
                return "MAINT";
            }
            return (adminState & DRAIN_BITS) != 0 ? "DRAIN" : "READY";
        }
    }

    /** An answer that is not version 1 of this format; {@link #line()} is 1-based, 0 for the whole file. */
    public static final class MalformedException extends Exception {
        private final int line;

        MalformedException(int line, String reason) {
            super(reason);
            this.line = line;
        }

        public int line() {
            return line;
        }
    }

    private static final String[] FIELDS = {"be_name", "srv_name", "srv_op_state", "srv_admin_state"};

    public static ServersStateAnswer parse(String text) throws MalformedException {
        if (text.indexOf('\0') >= 0) {
            throw new MalformedException(0, "binary data (NUL byte) in a 'show servers state' answer");
        }
        String[] lines = text.split("\n", -1);
        if (lines.length < 2 || !lines[0].strip().equals("1") || !lines[1].startsWith("# ")) {
            throw new MalformedException(
                    1,
                    "not a 'show servers state' answer: expected the version line '1' and a"
                            + " '# be_id be_name ...' header, got '" + Excerpt.of(lines[0]) + "'");
        }
        String[] header = lines[1].substring(2).strip().split(" +");
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < header.length; i++) {
            index.putIfAbsent(header[i], i);
        }
        int[] at = new int[FIELDS.length];
        for (int i = 0; i < at.length; i++) {
            Integer position = index.get(FIELDS[i]);
            if (position == null) {
                throw new MalformedException(2, "header lacks " + FIELDS[i]);
            }
            at[i] = position;
        }
        List<Row> rows = new ArrayList<>();
        for (int n = 2; n < lines.length; n++) {
            if (lines[n].isBlank()) {
                continue;
            }
            String[] f = lines[n].strip().split(" +");
            if (f.length != header.length) {
                throw new MalformedException(
                        n + 1, "expected " + header.length + " fields as in the header, got " + f.length);
            }
            rows.add(new Row(
                    f[at[0]],
                    f[at[1]],
                    number(f[at[2]], n + 1, "srv_op_state"),
                    number(f[at[3]], n + 1, "srv_admin_state")));
        }
        return new ServersStateAnswer(List.copyOf(rows));
    }

    private static int number(String value, int line, String field) throws MalformedException {
        try {
            int v = Integer.parseInt(value);
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new MalformedException(line, field + " must be a non-negative integer, got '" + Excerpt.of(value) + "'");
    }
}
