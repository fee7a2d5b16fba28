package io.haproxystats.process.compute;

import static io.haproxystats.common.haproxy.ServersStateAnswerTest.HEADER;
import static io.haproxystats.common.haproxy.ServersStateAnswerTest.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.process.testing.Fixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code show servers state} answers as counts (ServersStateAggregator), and a malformed one as a
 * named error; the parsing itself is ServersStateAnswerTest's.
 */
class ServersStateTest {

    @TempDir
    Path tmp;

    @Test
    void countsOperationalStatesAndAdminBitsOverProcessesPerServerAndBackend() {
        PollComputation computation =
                Fixtures.computation(tmp, "[graphite]\nnamespace = lb\nprefix-hostname = false\n", "h");
        // Two instances. web1 running in both; web2 forced into maintenance (0x01) in a, and in b
        // stopped with a forced drain (0x08) and maintenance from resolution (0x20). be_x excluded.
        String a =
                HEADER + row("be.app", "web1", 2, 0) + row("be.app", "web2", 0, 0x01) + row("be_x", "s", 2, 0) + "\n";
        String b = HEADER + row("be.app", "web1", 2, 0) + row("be.app", "web2", 0, 0x08 | 0x20) + "\n";
        PollComputation.Result r = computation.compute(
                "1700000000", Map.of("a.sock_servers_state", a, "b.sock_servers_state", b), Set.of(), Set.of("be_x"));
        assertEquals(List.of(), r.errors());
        Map<String, String> out = new TreeMap<>(Fixtures.values(r.batch()));
        String web2 = "lb.haproxy.backend.be_app.server.web2.";
        assertEquals("2", out.get(web2 + "op_state.DOWN"));
        assertEquals("0", out.get(web2 + "op_state.UP"));
        assertEquals("1", out.get(web2 + "admin_state.FMAINT"));
        assertEquals("1", out.get(web2 + "admin_state.FDRAIN"));
        assertEquals("1", out.get(web2 + "admin_state.RMAINT"));
        assertEquals("0", out.get(web2 + "admin_state.CMAINT"));
        assertEquals("2", out.get("lb.haproxy.backend.be_app.server.web1.op_state.UP"));
        assertEquals("2", out.get("lb.haproxy.backend.be_app.servers.op_state.UP"), "web1 twice");
        assertEquals("2", out.get("lb.haproxy.backend.be_app.servers.op_state.DOWN"), "web2 twice");
        assertEquals("1", out.get("lb.haproxy.backend.be_app.servers.admin_state.FMAINT"));
        assertTrue(out.keySet().stream().noneMatch(k -> k.contains("be_x")), "excluded backend");
        long serverLines =
                out.keySet().stream().filter(k -> k.contains("_state.")).count();
        assertEquals(3 * 11, serverLines, "web1, web2 and the backend: 4 op states + 7 admin bits each");
    }

    @Test
    void aMalformedAnswerIsANamedErrorAndTheOthersStillCount() {
        PollComputation computation =
                Fixtures.computation(tmp, "[graphite]\nnamespace = lb\nprefix-hostname = false\n", "h");
        PollComputation.Result r = computation.compute(
                "1700000000",
                Map.of(
                        "a.sock_servers_state",
                        HEADER + row("be", "s", 2, 0) + "\n",
                        "b.sock_servers_state",
                        HEADER + "3 be 1\n"),
                Set.of(),
                Set.of());
        assertEquals(List.of("b.sock_servers_state line 3: expected 25 fields as in the header, got 3"), r.errors());
        assertEquals("1", Fixtures.values(r.batch()).get("lb.haproxy.backend.be.server.s.op_state.UP"));
    }
}
