package io.haproxystats.process;

import static io.haproxystats.common.testing.Daemons.PROCESS;
import static io.haproxystats.common.testing.Daemons.PULL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.testing.CarbonRelay;
import io.haproxystats.common.testing.Daemons;
import io.haproxystats.common.testing.Entries;
import io.haproxystats.common.testing.HaproxyInstance;
import io.haproxystats.common.testing.TestConfig;
import io.haproxystats.common.testing.Wait;
import io.haproxystats.process.testing.GraphiteLines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real HAProxy instances feed the real haproxystats-pull executable, whose directories the real
 * haproxystats-process executable sends to a real carbon-c-relay; both daemons stop on SIGTERM
 * with exit 0. Also: the executables' -P and exit codes.
 */
class EndToEndIT {

    @TempDir
    Path tmp;

    @Test
    void linesFromRealHaproxyReachTheRelayAndTheSpoolEndsEmpty() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        try (HaproxyInstance a = HaproxyInstance.start(run, "a");
                // b also has a backend be_app whose name meets be.app once sanitised: one group.
                HaproxyInstance b =
                        HaproxyInstance.startWith(run, "b", "backend be_app\n    server web_1 127.0.0.1:1\n");
                CarbonRelay relay = CarbonRelay.start(tmp)) {
            Path conf = tmp.resolve("haproxystats.conf");
            Files.writeString(
                    conf,
                    TestConfig.spool(
                                    tmp.resolve("spool"),
                                    "socket-dir = " + run + "\ncommands = info stat servers-state")
                            + TestConfig.toGraphite(relay.port(), "lb"));
            Process process = Daemons.start(PROCESS, conf, tmp.resolve("process.log"));
            Process pull = Daemons.start(PULL, conf, tmp.resolve("pull.log"));
            Wait.until(Duration.ofSeconds(30), () -> timestamps(relay).size() >= 3, "3 polls at the relay");
            pull.destroy(); // SIGTERM
            assertTrue(pull.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, pull.exitValue(), "pull exits 0 on SIGTERM");
            Wait.until(
                    Duration.ofSeconds(20),
                    () -> Entries.count(tmp.resolve("spool/incoming")) == 0,
                    "incoming/ drained");
            process.destroy();
            assertTrue(process.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, process.exitValue(), "process exits 0 on SIGTERM");

            List<String> lines = relay.lines();
            String ts = timestamps(relay).first();
            assertTrue(lines.contains("lb.haproxy.backend.be_app.TotalServers 2 " + ts), "TotalServers of be.app");
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("lb.haproxy.frontend.fe_a.stot ")));
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("lb.haproxy.backend.be_app.server.web_1.weight ")));
            assertTrue(
                    lines.contains("lb.haproxy.backend.be_app.server.web-2.op_state.UP 2 " + ts),
                    "show servers state asked of both instances (commands), web-2 has no check: UP in both");
            assertTrue(
                    lines.stream().anyMatch(l -> l.startsWith("lb.haproxy.daemon.StdCpuUsagePct ")),
                    "two instances give the CPU spread");
            for (String line : lines) {
                assertTrue(line.matches("lb\\.haproxy\\.[^ ]+ -?[0-9.]+ [0-9]+"), "well-formed: " + line);
            }
            // No path twice with one timestamp (Graphite would keep either value). be.app and
            // be_app are one backend, web.1 (in a and b) and web_1 (in b) one server of it: three
            // rows, each in one operational state.
            GraphiteLines.parse(String.join("\n", lines));
            long web1Rows = lines.stream()
                    .filter(l ->
                            l.startsWith("lb.haproxy.backend.be_app.server.web_1.op_state.") && l.endsWith(" " + ts))
                    .mapToLong(l -> Long.parseLong(l.split(" ")[1]))
                    .sum();
            assertEquals(3, web1Rows, lines.toString());
            assertEquals(0, Entries.count(tmp.resolve("spool/incoming.tmp")));
        }
    }

    @Test
    void executablesPrintTheEffectiveConfigurationAndRejectBadOnesWithExitTwo() throws Exception {
        Path good = tmp.resolve("good.conf");
        Files.writeString(good, "[paths]\nbase-dir = /srv/hs\n[process]\nsrc-dir = ${paths:base-dir}/in\n");
        Process p = new ProcessBuilder(PROCESS.toString(), "-f", good.toString(), "-P")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor());
        assertTrue(out.contains("[process]\n") && out.contains("src-dir = /srv/hs/in\n"), out);
        assertTrue(!out.contains("[pull]"), "process does not print [pull]");

        Path bad = tmp.resolve("bad.conf");
        Files.writeString(bad, "[graphite]\nport = http\n");
        ProcessBuilder badRun = new ProcessBuilder(PROCESS.toString(), "-f", bad.toString()).redirectErrorStream(true);
        badRun.environment().remove("INVOCATION_ID"); // as from a shell: a run that trains no AOT cache
        p = badRun.start();
        out = new String(p.getInputStream().readAllBytes());
        assertEquals(2, p.waitFor());
        assertEquals(
                "haproxystats-process: configuration error: [graphite] port: must be an integer, got 'http'\n", out);

        p = new ProcessBuilder(PULL.toString(), "-v").redirectErrorStream(true).start();
        out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor());
        assertTrue(out.startsWith("haproxystats-pull "), out);
    }

    private static TreeSet<String> timestamps(CarbonRelay relay) {
        try {
            return GraphiteLines.pollTimestamps(relay.lines());
        } catch (IOException e) {
            return new TreeSet<>();
        }
    }
}
