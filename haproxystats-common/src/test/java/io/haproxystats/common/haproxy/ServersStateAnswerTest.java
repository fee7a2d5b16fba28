package io.haproxystats.common.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.haproxystats.common.haproxy.ServersStateAnswer.MalformedException;
import io.haproxystats.common.haproxy.ServersStateAnswer.Row;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code show servers state} as HAProxy 2.6 writes it: states by header name, admin bits, bad answers. */
public class ServersStateAnswerTest {

    /** The header of Debian's HAProxy 2.6.12, as captured. */
    public static final String HEADER = "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state"
            + " srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health"
            + " srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl"
            + " srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n";

    public static String row(String backend, String server, int op, int admin) {
        return "3 " + backend + " 1 " + server + " 127.0.0.1 " + op + " " + admin
                + " 1 1 0 8 2 0 6 0 0 0 - 18081 - 0 0 - - 0\n";
    }

    @Test
    void operationalAndAdminStatesByHeaderName() throws MalformedException {
        String answer = HEADER + row("be.app", "web.1", 0, 8) + row("be.app", "web-2", 0, 1)
                + row("be.app", "web-3", 2, 0) + row("be_x", "x", 1, 32) + "\n";
        List<Row> rows = ServersStateAnswer.parse(answer).rows();
        assertEquals(
                List.of(
                        new Row("be.app", "web.1", 0, 8),
                        new Row("be.app", "web-2", 0, 1),
                        new Row("be.app", "web-3", 2, 0),
                        new Row("be_x", "x", 1, 32)),
                rows);
        assertEquals(
                List.of("DOWN/DRAIN", "DOWN/MAINT", "UP/READY", "STARTING/MAINT"),
                rows.stream().map(r -> r.operational() + "/" + r.admin()).toList());
        assertEquals(List.of(), ServersStateAnswer.parse(HEADER + "\n").rows(), "no backend with servers");
        assertEquals(
                "UNKNOWN(7)/MAINT",
                new Row("b", "s", 7, 0x40).operational() + "/" + new Row("b", "s", 7, 0x40).admin());
    }

    @Test
    void badAnswersNameTheLineAndTheReason() {
        MalformedException unknown =
                assertThrows(MalformedException.class, () -> ServersStateAnswer.parse("Unknown command\n\n"));
        assertEquals(1, unknown.line());
        assertEquals(
                "not a 'show servers state' answer: expected the version line '1' and a '# be_id be_name ...'"
                        + " header, got 'Unknown command'",
                unknown.getMessage());
        MalformedException cut =
                assertThrows(MalformedException.class, () -> ServersStateAnswer.parse(HEADER + "3 be 1\n"));
        assertEquals(3, cut.line());
        assertEquals("expected 25 fields as in the header, got 3", cut.getMessage());
        assertEquals(
                "srv_op_state must be a non-negative integer, got 'x'",
                assertThrows(
                                MalformedException.class,
                                () -> ServersStateAnswer.parse(
                                        HEADER + row("be", "s", 2, 0).replace(" 2 0 1 1 ", " x 0 1 1 ")))
                        .getMessage());
        assertEquals(
                "header lacks srv_admin_state",
                assertThrows(
                                MalformedException.class,
                                () -> ServersStateAnswer.parse("1\n# be_name srv_name srv_op_state\n"))
                        .getMessage());
        assertEquals(
                0,
                assertThrows(MalformedException.class, () -> ServersStateAnswer.parse(HEADER + "\0"))
                        .line());
    }
}
