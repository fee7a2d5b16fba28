package io.haproxystats.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.haproxystats.common.testing.HaproxyInstance;
import io.haproxystats.common.testing.Wait;
import io.haproxystats.process.compute.PollComputation;
import io.haproxystats.process.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * State metrics from real HAProxy answers: in the test instance web.1 and other are checked
 * against closed ports (DOWN once the checks fail), web-2 has no check ("no check": UP), the
 * frontend is OPEN and be.app UP (web-2 serves).
 */
class StateMetricsIT {

    @TempDir
    Path tmp;

    @Test
    void serversBackendsAndFrontendsOfARealHaproxyAsNumbers() throws Exception {
        try (HaproxyInstance h = HaproxyInstance.start(tmp, "a")) {
            Wait.until(
                    Duration.ofSeconds(30),
                    () -> down(h, "be.app,web.1,") && down(h, "be_other,other,"),
                    "web.1 and other DOWN by their checks");
            PollComputation computation = Fixtures.computation(
                    tmp, "[graphite]\nnamespace = lb\nprefix-hostname = false\n[process]\nstate-metrics = true\n", "h");
            PollComputation.Result r = computation.compute(
                    "1700000000",
                    Map.of("a.sock_stat", stat(h), "a.sock_info", HaproxyInstance.cli(h.socket(), "show info")),
                    Set.of(),
                    Set.of());
            assertEquals(List.of(), r.errors());
            Map<String, String> out = Fixtures.values(r.batch());
            String be = "lb.haproxy.backend.be_app.";
            assertEquals("1", out.get(be + "server.web_1.status.DOWN"));
            assertEquals("0", out.get(be + "server.web_1.status.UP"));
            assertEquals("1", out.get(be + "server.web-2.status.UP"), "no check counts as UP");
            assertEquals("1", out.get(be + "servers.UP"));
            assertEquals("1", out.get(be + "servers.DOWN"));
            assertEquals("0", out.get(be + "servers.MAINT"));
            assertEquals("1", out.get(be + "status.UP"));
            assertEquals("1", out.get("lb.haproxy.backend.be_other.status.DOWN"), "its only server is down");
            assertEquals("1", out.get("lb.haproxy.frontend.fe_a.status.OPEN"));
            assertEquals("0", out.get("lb.haproxy.frontend.fe_a.status.STOP"));
        }
    }

    /**
     * {@code show servers state} answers of two real instances: in b, web-2 is put into maintenance
     * and other into drain over the admin socket (the test's own action; the puller never sends
     * one). web.1 is stopped by its failing check in both.
     */
    @Test
    void serversStateAnswersOfRealHaproxyAsCounts() throws Exception {
        try (HaproxyInstance a = HaproxyInstance.start(tmp, "a");
                HaproxyInstance b = HaproxyInstance.start(tmp, "b")) {
            assertEquals("\n", HaproxyInstance.cli(b.socket(), "set server be.app/web-2 state maint"));
            assertEquals("\n", HaproxyInstance.cli(b.socket(), "set server be_other/other state drain"));
            Wait.until(
                    Duration.ofSeconds(30),
                    () -> down(a, "be.app,web.1,") && down(b, "be.app,web.1,"),
                    "web.1 DOWN by its checks in both");
            PollComputation computation =
                    Fixtures.computation(tmp, "[graphite]\nnamespace = lb\nprefix-hostname = false\n", "h");
            PollComputation.Result r = computation.compute(
                    "1700000000",
                    Map.of(
                            "a.sock_servers_state", HaproxyInstance.cli(a.socket(), "show servers state"),
                            "b.sock_servers_state", HaproxyInstance.cli(b.socket(), "show servers state")),
                    Set.of(),
                    Set.of());
            assertEquals(List.of(), r.errors());
            Map<String, String> out = Fixtures.values(r.batch());
            String be = "lb.haproxy.backend.be_app.";
            assertEquals("2", out.get(be + "server.web_1.op_state.DOWN"));
            assertEquals("1", out.get(be + "server.web-2.admin_state.FMAINT"), "maintenance in b only");
            assertEquals("1", out.get(be + "server.web-2.op_state.UP"), "a's web-2 has no check: up");
            assertEquals("1", out.get("lb.haproxy.backend.be_other.server.other.admin_state.FDRAIN"));
            assertEquals("0", out.get("lb.haproxy.backend.be_other.server.other.admin_state.FMAINT"));
            assertEquals("1", out.get(be + "servers.admin_state.FMAINT"));
        }
    }

    private static boolean down(HaproxyInstance h, String rowStart) {
        return stat(h).lines().anyMatch(l -> l.startsWith(rowStart) && l.contains(",DOWN,"));
    }

    private static String stat(HaproxyInstance h) {
        try {
            return HaproxyInstance.cli(h.socket(), "show stat");
        } catch (IOException e) {
            return "";
        }
    }
}
