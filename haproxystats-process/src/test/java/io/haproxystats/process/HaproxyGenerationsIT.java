package io.haproxystats.process;

import static io.haproxystats.common.testing.Daemons.PROCESS;
import static io.haproxystats.common.testing.Daemons.PULL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.haproxystats.common.testing.Daemons;
import io.haproxystats.common.testing.DebianTestRoots;
import io.haproxystats.common.testing.Entries;
import io.haproxystats.common.testing.HaproxyInstance;
import io.haproxystats.common.testing.TestConfig;
import io.haproxystats.common.testing.Wait;
import io.haproxystats.process.compute.RealGenerationsTest;
import io.haproxystats.process.testing.Fixtures;
import io.haproxystats.process.testing.GraphiteLines;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Both executables against real HAProxy of other generations than the host's 2.6: Debian 11's
 * 2.2 and Debian 13's 3.0, each run from a minimal root of its release (made by debootstrap in
 * setup.sh) with its stats socket in a directory the host's puller reads. Every answer parses (no
 * quarantine) and gives the frontend, backend, server, daemon and server-state lines. The poll's
 * answers are kept in target/generations/ (the captures under src/test/resources/generations came
 * from there; RealGenerationsTest checks them without the roots).
 */
class HaproxyGenerationsIT {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "HAProxy {1} from {0}")
    @CsvSource({"bullseye-haproxy, 2.2", "trixie-haproxy, 3.0"})
    void aRealHaproxyOfThisGenerationIsPolledAndProcessed(String rootName, String version) throws Exception {
        assumeTrue("0".equals(run("id", "-u").strip()), "a chroot needs root (CI runs as root)");
        Path tarball = DebianTestRoots.tarball(rootName);
        assumeTrue(Files.exists(tarball), "no test root at " + tarball + " (setup.sh builds it as root)");
        Path root = Files.createDirectories(tmp.resolve("root"));
        assertEquals("", run("tar", "-C", root.toString(), "-xf", tarball.toString()));
        Path sockets = Files.createDirectories(root.resolve("run/hs"));
        Files.writeString(root.resolve("etc/hs.cfg"), """
                global
                    stats socket /run/hs/g.sock mode 600 level admin
                defaults
                    mode http
                    timeout connect 1s
                    timeout client 5s
                    timeout server 5s
                frontend fe_g
                    bind 127.0.0.1:%d
                    default_backend be.app
                backend be.app
                    server web.1 127.0.0.1:%d check inter 1s
                    server web-2 127.0.0.1:%d
                """.formatted(
                        HaproxyInstance.freePort(), HaproxyInstance.freePort(), HaproxyInstance.freePort()));
        Process haproxy = new ProcessBuilder("chroot", root.toString(), "haproxy", "-db", "-f", "/etc/hs.cfg")
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("haproxy.log").toFile())
                .start();
        try {
            Wait.until(
                    Duration.ofSeconds(20),
                    () -> Files.exists(sockets.resolve("g.sock")) || !haproxy.isAlive(),
                    "HAProxy " + version + "'s stats socket");
            assertTrue(haproxy.isAlive(), Files.readString(tmp.resolve("haproxy.log")));
            Path conf = tmp.resolve("haproxystats.conf");
            Files.writeString(conf, TestConfig.spool(tmp.resolve("spool"), sockets) + """
                    commands = info stat servers-state
                    [process]
                    src-dir = ${paths:base-dir}/incoming
                    state-metrics = true
                    [graphite]
                    port = 1
                    namespace = lb
                    prefix-hostname = false
                    [local-store]
                    dir = ${paths:base-dir}/store
                    """);
            Path store = tmp.resolve("spool/store");
            Path keep = Files.createDirectories(Path.of("target/generations", version));
            Process process = Daemons.start(PROCESS, conf, tmp.resolve("process.log"));
            // The puller lands one poll, whose answers are kept, before the processor takes it.
            Process pull = Daemons.start(PULL, conf, tmp.resolve("pull.log"));
            try {
                Wait.until(
                        Duration.ofSeconds(30),
                        () -> Fixtures.storedPolls(store).size() >= 2,
                        "2 polls of HAProxy " + version);
            } finally {
                pull.destroy();
                process.destroy();
                assertTrue(pull.waitFor(20, TimeUnit.SECONDS));
                assertTrue(process.waitFor(20, TimeUnit.SECONDS));
            }
            assertEquals(0, count(tmp.resolve("spool/quarantine")), Files.readString(tmp.resolve("process.log")));
            String poll = Fixtures.storedPolls(store).get(0);
            Map<String, String> lines = GraphiteLines.byPath(
                    GraphiteLines.lines(Files.readAllLines(store.resolve(poll).resolve("stats"))));
            for (String path : RealGenerationsTest.EVERY_KIND_OF_LINE) {
                assertTrue(lines.containsKey(path), path + " from HAProxy " + version + ": " + lines.keySet());
            }
            assertEquals("2", lines.get("lb.haproxy.backend.be_app.TotalServers"));
            // The answers themselves, for the captures kept with the tests.
            for (String command : List.of("show info", "show stat", "show servers state")) {
                Files.writeString(
                        keep.resolve("g.sock_" + command.substring(5).replace(' ', '_')),
                        HaproxyInstance.cli(sockets.resolve("g.sock"), command),
                        StandardCharsets.UTF_8);
            }
        } finally {
            haproxy.destroy();
            haproxy.waitFor(10, TimeUnit.SECONDS);
            run("rm", "-rf", "--one-file-system", root.toString());
        }
    }

    private static long count(Path dir) {
        try {
            return Entries.visible(dir).size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return p.exitValue() == 0 ? out : "exit " + p.exitValue() + ": " + out;
    }
}
