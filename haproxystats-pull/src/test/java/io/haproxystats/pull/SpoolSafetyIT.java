package io.haproxystats.pull;

import static io.haproxystats.common.testing.Daemons.PULL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.testing.Daemons;
import io.haproxystats.common.testing.Entries;
import io.haproxystats.common.testing.HaproxyInstance;
import io.haproxystats.common.testing.TestConfig;
import io.haproxystats.common.testing.Wait;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The haproxystats-pull executable where an operator's mistakes or a hostile environment used to
 * corrupt or stop the spool: two instances on one spool, spool directories removed while it runs,
 * tmp-dst-dir aliasing dst-dir, two sockets with one file name, a socket named in UTF-8 under the
 * C locale, and the --server option without --show-servers.
 */
class SpoolSafetyIT {

    @TempDir
    Path tmp;

    private Path config(Path socketDir, String extra) throws IOException {
        Path conf = tmp.resolve("pull.conf");
        Files.writeString(conf, TestConfig.spool(tmp.resolve("spool"), socketDir) + "queue-size = 1000\n" + extra);
        return conf;
    }

    private Process start(Path conf, String log, Map<String, String> env) throws IOException {
        return Daemons.start(PULL, conf, tmp.resolve(log), env);
    }

    private record Run(int exit, String out) {}

    private static Run run(Path conf, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PULL.toString(), "-f", conf.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out);
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    }

    /** Every poll in incoming/ holds exactly the two files of socket a, complete. */
    private static void assertCompletePolls(Path incoming) throws IOException {
        for (Path poll : Entries.visible(incoming)) {
            assertEquals(List.of("a.sock_info", "a.sock_stat"), Entries.names(poll), poll.toString());
            for (Path f : Entries.visible(poll)) {
                assertTrue(Files.readString(f).endsWith("\n\n"), f + " complete");
            }
        }
    }

    @Test
    void aSecondPullerOnTheSameSpoolRefusesToStartNamingTheFirst() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        try (HaproxyInstance a = HaproxyInstance.start(run, "a")) {
            Path conf = config(run, "");
            Path incoming = tmp.resolve("spool/incoming");
            Process first = start(conf, "first.log", Map.of());
            Wait.until(Duration.ofSeconds(20), () -> Entries.count(incoming) >= 1, "the first puller lands a poll");
            Run second = run(conf);
            assertEquals(1, second.exit(), second.out());
            assertTrue(
                    second.out()
                            .contains("[pull] dst-dir " + incoming + " is in use by another instance (pid "
                                    + first.pid() + ", lock file "),
                    second.out());
            long before = Entries.count(incoming);
            Wait.until(Duration.ofSeconds(20), () -> Entries.count(incoming) >= before + 2, "the first goes on");
            assertTrue(first.isAlive());
            stop(first);
            assertEquals(0, first.exitValue());
            assertCompletePolls(incoming);
        }
    }

    @Test
    void spoolDirectoriesRemovedWhileRunningAreRecreatedWithTheirModeAndPollingGoesOn() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        try (HaproxyInstance a = HaproxyInstance.start(run, "a")) {
            Path incoming = tmp.resolve("spool/incoming");
            Process pull = start(config(run, ""), "pull.log", Map.of());
            Wait.until(Duration.ofSeconds(20), () -> Entries.count(incoming) >= 1, "a poll lands");
            new ProcessBuilder(
                            "rm",
                            "-rf",
                            incoming.toString(),
                            tmp.resolve("spool/incoming.tmp").toString())
                    .inheritIO()
                    .start()
                    .waitFor();
            Wait.until(Duration.ofSeconds(20), () -> Entries.count(incoming) >= 2, "polls land in the new dst-dir");
            assertTrue(pull.isAlive());
            stop(pull);
            assertEquals(0, pull.exitValue());
            String log = Files.readString(tmp.resolve("pull.log"));
            assertTrue(
                    log.contains("[pull] dst-dir " + incoming + " was removed while haproxystats-pull runs; "
                            + "recreating it"),
                    log);
            assertFalse(log.contains("NoSuchFileException"), log);
            assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(incoming)));
            assertCompletePolls(incoming);
        }
    }

    @Test
    void aTmpDstDirThatIsDstDirOrContainsItIsRefusedAndNoWaitingPollIsTouched() throws Exception {
        Path spool = Files.createDirectories(tmp.resolve("spool"));
        Path incoming = Files.createDirectories(spool.resolve("incoming"));
        Path waiting = Files.createDirectories(incoming.resolve("1700000000"));
        Files.writeString(waiting.resolve("a.sock_info"), "Name: HAProxy\n\n");
        Files.createSymbolicLink(spool.resolve("link"), incoming);
        for (String tmpDstDir : List.of(
                incoming + "/.",
                spool.resolve("link").toString(),
                spool.toString(),
                incoming.resolve("tmp").toString())) {
            Path conf = tmp.resolve("alias.conf");
            Files.writeString(
                    conf,
                    "[paths]\nbase-dir = " + spool + "\n[pull]\nsocket-dir = " + tmp + "\ndst-dir = " + incoming
                            + "\ntmp-dst-dir = " + tmpDstDir + "\n");
            Run r = run(conf);
            assertEquals(2, r.exit(), tmpDstDir + ": " + r.out());
            // The symlink passes the settings' check on the written paths and is caught on the real ones
            // at start, after the start line is logged.
            assertTrue(r.out().contains("haproxystats-pull: configuration error: [pull] tmp-dst-dir: "), r.out());
            assertTrue(Files.isRegularFile(waiting.resolve("a.sock_info")), tmpDstDir + " left the waiting poll");
        }
    }

    @Test
    void twoServersWithOneSocketFileNameAreRefusedAtStart() throws Exception {
        Path conf = config(tmp, "servers = unix:///a/admin.sock, unix:///b/admin.sock\n");
        Run r = run(conf);
        assertEquals(2, r.exit(), r.out());
        assertEquals(
                "haproxystats-pull: configuration error: [pull] servers: unix:///a/admin.sock and "
                        + "unix:///b/admin.sock would both write the files admin.sock_*; give the socket files different "
                        + "names\n",
                r.out());
    }

    @Test
    void aSocketNamedInUtf8IsPolledUnderTheCLocale() throws Exception {
        // The socket is created by HAProxy from its configuration (UTF-8 text), so this JVM never has
        // to name it: it may itself run without a UTF-8 locale.
        Path run = Files.createDirectories(tmp.resolve("run"));
        Path cfg = tmp.resolve("utf8.cfg");
        Files.writeString(
                cfg,
                "global\n    stats socket " + run + "/caf\u00e9.sock mode 600 level admin\n"
                        + "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n"
                        + "frontend fe\n    bind 127.0.0.1:" + HaproxyInstance.freePort() + "\n",
                StandardCharsets.UTF_8);
        Process haproxy = new ProcessBuilder("haproxy", "-db", "-f", cfg.toString())
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("haproxy.log").toFile())
                .start();
        try {
            Wait.until(Duration.ofSeconds(10), () -> Entries.count(run) == 1, "HAProxy's socket");
            Path incoming = tmp.resolve("spool/incoming");
            Process pull = start(config(run, ""), "pull.log", Map.of("LANG", "C", "LC_ALL", "C"));
            Wait.until(Duration.ofSeconds(20), () -> Entries.count(incoming) >= 1, "a poll lands");
            stop(pull);
            String log = Files.readString(tmp.resolve("pull.log"), StandardCharsets.UTF_8);
            assertTrue(log.contains("done 2, pending 0, succeeded 2, failed 0"), log);
            assertEquals(2, Entries.visible(Entries.visible(incoming).get(0)).size());
        } finally {
            haproxy.destroy();
            haproxy.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void serverWithoutShowServersIsAUsageErrorAndAServerNoSocketHasExitsOne() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        try (HaproxyInstance a = HaproxyInstance.start(run, "a")) {
            Path conf = config(run, "");
            Run usage = run(conf, "--server", "web-2");
            assertEquals(2, usage.exit(), usage.out());
            assertTrue(usage.out().startsWith("--server NAME needs --show-servers"), usage.out());
            assertFalse(Files.exists(tmp.resolve("spool/incoming")), "no daemon started");

            Run none = run(conf, "--show-servers", "--server", "nosuch");
            assertEquals(1, none.exit(), none.out());
            assertEquals("haproxystats-pull: no server named 'nosuch' on any socket\n", none.out());

            Run one = run(conf, "--show-servers", "--server", "web-2");
            assertEquals(0, one.exit(), one.out());
            assertEquals("a.sock: be.app/web-2: UP/READY\n", one.out());
        }
    }
}
