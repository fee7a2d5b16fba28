package io.haproxystats.pull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@code show servers state} answer (format version 1, HAProxy 1.6 to 3.x) as one entry per
 * server: its operational state ({@code srv_op_state}: 0 DOWN, 1 STARTING, 2 UP, 3 STOPPING) and
 * its admin state ({@code srv_admin_state} bits: forced, inherited, configured, resolution or
 * hostname maintenance make MAINT; forced or inherited drain make DRAIN; none is READY).
 * Columns are found by the header's names.
 */
final class ServerStates {

    /** How the answer starts: the format version line. */
    static final String ANSWER_PREFIX = "1\n";

    record Server(String backend, String server, String operational, String admin) {
    }

    private static final int MAINT_BITS = 0x01 | 0x02 | 0x04 | 0x20 | 0x40;
    private static final int DRAIN_BITS = 0x08 | 0x10;

    private ServerStates() {
    }

    static List<Server> parse(String answer) {
        List<Server> out = new ArrayList<>();
        List<String> header = List.of();
        for (String line : answer.split("\n")) {
            if (line.startsWith("# ")) {
                header = Arrays.asList(line.substring(2).trim().split("\\s+"));
                continue;
            }
            String[] f = line.trim().split("\\s+");
            int be = header.indexOf("be_name");
            int srv = header.indexOf("srv_name");
            int op = header.indexOf("srv_op_state");
            int admin = header.indexOf("srv_admin_state");
            if (be < 0 || srv < 0 || op < 0 || admin < 0 || f.length < header.size()) {
                continue; // the version line, blank lines
            }
            out.add(new Server(f[be], f[srv], operational(f[op]), admin(f[admin])));
        }
        return out;
    }

    static String operational(String value) {
        return switch (value) {
            case "0" -> "DOWN";
            case "1" -> "STARTING";
            case "2" -> "UP";
            case "3" -> "STOPPING";
            default -> "UNKNOWN(" + value + ")";
        };
    }

    static String admin(String value) {
        int bits;
        try {
            bits = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return "UNKNOWN(" + value + ")";
        }
        if ((bits & MAINT_BITS) != 0) {
            return "MAINT";
        }
        return (bits & DRAIN_BITS) != 0 ? "DRAIN" : "READY";
    }
}
