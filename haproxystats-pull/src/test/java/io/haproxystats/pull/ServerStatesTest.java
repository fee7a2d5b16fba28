package io.haproxystats.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** show servers state as HAProxy 2.6 writes it (captured): states by header name, admin bits. */
class ServerStatesTest {

    @Test
    void operationalAndAdminStatesByHeaderName() {
        String answer = """
                1
                # be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight
                3 be.app 1 web.1 127.0.0.1 0 8 1 1
                3 be.app 2 web-2 127.0.0.1 0 1 1 1
                3 be.app 3 web-3 127.0.0.1 2 0 1 1
                4 be_x 1 x 127.0.0.1 1 32 1 1

                """;
        assertEquals(List.of(
                new ServerStates.Server("be.app", "web.1", "DOWN", "DRAIN"),
                new ServerStates.Server("be.app", "web-2", "DOWN", "MAINT"),
                new ServerStates.Server("be.app", "web-3", "UP", "READY"),
                new ServerStates.Server("be_x", "x", "STARTING", "MAINT")), ServerStates.parse(answer));
    }
}
