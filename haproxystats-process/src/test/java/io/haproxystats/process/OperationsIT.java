package io.haproxystats.process;

import static io.haproxystats.common.testing.Daemons.PROCESS;
import static io.haproxystats.common.testing.Daemons.PULL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.testing.Daemons;
import io.haproxystats.common.testing.HaproxyInstance;
import io.haproxystats.common.testing.TestConfig;
import io.haproxystats.common.testing.Wait;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What operators run the daemons with: systemd (Type=notify with a real NOTIFY_SOCKET, path and
 * abstract; the units pass systemd-analyze verify) and the nagios checks of contrib/nagios, run
 * as nagios would run them, exit codes included, against the real executables.
 */
class OperationsIT {

    static final Path CONTRIB = Path.of("../contrib").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    final List<AutoCloseable> closeables = new ArrayList<>();
    final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly().waitFor();
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private Path config() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        closeables.add(HaproxyInstance.start(run, "a"));
        Path conf = tmp.resolve("haproxystats.conf");
        Files.writeString(
                conf, TestConfig.spool(tmp.resolve("spool"), run) + """
                [process]
                src-dir = ${paths:base-dir}/incoming
                [graphite]
                port = %d
                retries = 0
                delay = 1
                """.formatted(HaproxyInstance.freePort()));
        return conf;
    }

    /** Started through the harness, and killed after the test if still running. */
    private Process start(Path exe, Path conf, Map<String, String> env, String log) throws IOException {
        Process p = Daemons.start(exe, conf, tmp.resolve(log), env);
        processes.add(p);
        return p;
    }

    /** A datagram socket like systemd's: collects every message sent to it. */
    private static final class NotifySocket implements AutoCloseable {
        final UnixDatagramChannel channel;
        final List<String> messages = new CopyOnWriteArrayList<>();
        final Thread reader;

        NotifySocket(String address) throws IOException {
            channel = UnixDatagramChannel.open();
            channel.bind(new UnixSocketAddress(address.startsWith("@") ? "\0" + address.substring(1) : address));
            reader = Thread.ofPlatform().daemon().start(() -> {
                ByteBuffer buf = ByteBuffer.allocate(4096);
                try {
                    while (true) {
                        buf.clear();
                        channel.receive(buf);
                        buf.flip();
                        messages.add(StandardCharsets.UTF_8.decode(buf).toString());
                    }
                } catch (IOException e) {
                    // closed
                }
            });
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    private void notifyProtocol(Path exe, String address) throws Exception {
        Path conf = config();
        try (NotifySocket socket = new NotifySocket(address)) {
            Process p = start(exe, conf, Map.of("NOTIFY_SOCKET", address, "WATCHDOG_USEC", "1000000"), "daemon.log");
            Wait.until(
                    Duration.ofSeconds(30),
                    () -> socket.messages.stream()
                                            .filter(m -> m.equals("WATCHDOG=1"))
                                            .count()
                                    >= 2
                            && socket.messages.stream().anyMatch(m -> m.startsWith("STATUS=")),
                    "READY, STATUS and WATCHDOG");
            p.destroy();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("daemon.log")));
            Wait.until(
                    Duration.ofSeconds(5),
                    () -> socket.messages.stream().anyMatch(m -> m.startsWith("STOPPING=1")),
                    "STOPPING");
            List<String> m = List.copyOf(socket.messages);
            assertTrue(m.get(0).startsWith("READY=1\nSTATUS="), "READY comes first: " + m);
            int stopping = m.indexOf(m.stream()
                    .filter(x -> x.startsWith("STOPPING=1"))
                    .findFirst()
                    .orElseThrow());
            assertTrue(m.subList(0, stopping).contains("WATCHDOG=1"), "WATCHDOG before STOPPING: " + m);
            assertTrue(m.subList(1, stopping).stream().anyMatch(x -> x.startsWith("STATUS=")), m.toString());
            assertTrue(
                    m.subList(stopping + 1, m.size()).stream()
                            .noneMatch(x -> x.equals("WATCHDOG=1") || x.startsWith("READY")),
                    "nothing but status after STOPPING: " + m);
        }
    }

    @Test
    void pullSpeaksSdNotifyOnAPathSocket() throws Exception {
        notifyProtocol(PULL, tmp.resolve("notify.sock").toString());
    }

    @Test
    void processSpeaksSdNotifyOnAnAbstractSocket() throws Exception {
        notifyProtocol(PROCESS, "@haproxystats-test-" + ProcessHandle.current().pid());
    }

    @Test
    void withoutNotifySocketNothingIsSentAndTheDaemonRunsAsUsual() throws Exception {
        Path conf = config();
        Process p = start(PULL, conf, Map.of(), "pull.log");
        Wait.until(Duration.ofSeconds(30), () -> log("pull.log").contains("succeeded 2, failed 0"), "a poll");
        p.destroy();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        assertTrue(!log("pull.log").contains("NOTIFY_SOCKET"), log("pull.log"));
    }

    private String log(String name) {
        try {
            return Files.readString(tmp.resolve(name));
        } catch (IOException e) {
            return "";
        }
    }

    record Result(int exit, String out) {}

    private Result check(String name, Path conf, String... args) throws Exception {
        return check(PULL, PROCESS, name, conf, args);
    }

    /**
     * The check with executables that cannot run: it answers from the daemons' status files alone,
     * without a JVM (issue 27, item 7), or says UNKNOWN naming the missing executable.
     */
    static Result checkWithoutJvm(String name, Path conf, String... args) throws Exception {
        Path none = Path.of("/nonexistent");
        return check(none.resolve("haproxystats-pull"), none.resolve("haproxystats-process"), name, conf, args);
    }

    static Result check(Path pull, Path process, String name, Path conf, String... args) throws Exception {
        List<String> cmd =
                new ArrayList<>(List.of(CONTRIB.resolve("nagios").resolve(name).toString(), "-f", conf.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("HAPROXYSTATS_PULL", pull.toString());
        pb.environment().put("HAPROXYSTATS_PROCESS", process.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, out.lines().count(), "one line: " + out);
        assertTrue(out.matches("(OK|WARNING|CRITICAL|UNKNOWN): .*\\n"), out);
        return new Result(p.exitValue(), out.strip());
    }

    @Test
    void queueSizeCheckUsesTheOriginalsThresholdsAndSaysUnknownOnBadInput() throws Exception {
        Path conf = tmp.resolve("q.conf");
        Path incoming = tmp.resolve("spool/incoming");
        Files.writeString(conf, "[pull]\ndst-dir = " + incoming + "\n");
        Result missing = check("check_haproxystats_queue_size", conf);
        assertEquals(3, missing.exit(), missing.out());
        assertTrue(missing.out().startsWith("UNKNOWN: can't check " + incoming), missing.out());
        for (int i = 0; i < 3; i++) {
            Files.createDirectories(incoming.resolve("17000000" + i));
        }
        Files.writeString(incoming.resolve("not-a-poll"), "x");
        Result ok = check("check_haproxystats_queue_size", conf, "-o", "3", "-w", "5");
        assertEquals(0, ok.exit(), ok.out());
        assertTrue(ok.out().startsWith("OK: queue size 3: Queue location=" + incoming), ok.out());
        assertTrue(ok.out().endsWith("| queue_size=3;3;5;0"), ok.out());
        assertEquals(
                1,
                check("check_haproxystats_queue_size", conf, "-o", "2", "-w", "3")
                        .exit());
        assertEquals(
                2,
                check("check_haproxystats_queue_size", conf, "-o", "1", "-w", "2")
                        .exit());
        assertEquals(0, check("check_haproxystats_queue_size", conf).exit(), "defaults 60/120");

        Path bad = tmp.resolve("bad.conf");
        Files.writeString(bad, "[pull]\nqueue-size = many\n");
        Result unknown = check("check_haproxystats_queue_size", bad);
        assertEquals(3, unknown.exit());
        assertEquals(
                "UNKNOWN: cannot read the configuration: haproxystats-pull: configuration error: [pull] "
                        + "queue-size: must be an integer, got 'many'",
                unknown.out());
        assertEquals(3, check("check_haproxystats_queue_size", conf, "-w", "x").exit());
    }

    @Test
    void pullAndProcessChecksFollowTheRealDaemons() throws Exception {
        Path conf = config();
        Result before = check("check_haproxystats_pull", conf);
        assertEquals(3, before.exit(), before.out());
        assertTrue(
                before.out().startsWith("UNKNOWN: cannot read " + tmp.resolve("spool/haproxystats-pull.status")),
                before.out());

        Process pull = start(PULL, conf, Map.of(), "pull.log");
        Process process = start(PROCESS, conf, Map.of(), "process.log");
        Wait.until(Duration.ofSeconds(30), () -> log("pull.log").contains("succeeded 2, failed 0"), "a poll");
        Wait.until(Duration.ofSeconds(30), () -> log("process.log").contains("given up for now"), "graphite down");
        Result pullOk = check("check_haproxystats_pull", conf);
        assertEquals(0, pullOk.exit(), pullOk.out());
        assertTrue(
                pullOk.out()
                        .matches("OK: haproxystats-pull \\(pid " + pull.pid() + "\\): last complete poll \\d+s ago,"
                                + " last result ok \\| last_success_age=\\d+s;60;300;0"),
                pullOk.out());
        Wait.until(
                Duration.ofSeconds(15),
                () -> {
                    try {
                        return Files.readString(tmp.resolve("spool/haproxystats-process.status"))
                                .contains("graphite=unreachable");
                    } catch (IOException e) {
                        return false;
                    }
                },
                "the status file says Graphite is unreachable");
        Result processWarn = check("check_haproxystats_process", conf);
        assertEquals(1, processWarn.exit(), "Graphite unreachable is a warning: " + processWarn.out());
        assertTrue(
                processWarn.out().startsWith("WARNING: haproxystats-process (pid " + process.pid() + "): "),
                processWarn.out());
        assertTrue(processWarn.out().contains("Graphite unreachable"), processWarn.out());

        // While the daemons run, each check answers from their status files alone: no JVM started
        // (the executables named do not exist), the same verdicts.
        Result pullFast = checkWithoutJvm("check_haproxystats_pull", conf);
        assertEquals(0, pullFast.exit(), pullFast.out());
        assertTrue(pullFast.out().startsWith("OK: haproxystats-pull (pid " + pull.pid() + "): "), pullFast.out());
        Result processFast = checkWithoutJvm("check_haproxystats_process", conf);
        assertEquals(1, processFast.exit(), processFast.out());
        assertTrue(processFast.out().contains("Graphite unreachable"), processFast.out());
        Result queueFast = checkWithoutJvm("check_haproxystats_queue_size", conf);
        assertEquals(0, queueFast.exit(), queueFast.out());
        assertTrue(
                queueFast.out().startsWith("OK: queue size ")
                        && queueFast.out().contains("Queue location=" + tmp.resolve("spool/incoming") + ","),
                queueFast.out());
        String status = Files.readString(tmp.resolve("spool/haproxystats-pull.status"));
        assertTrue(
                status.contains("\nconfig=" + conf.toRealPath() + "\ndst_dir=" + tmp.resolve("spool/incoming") + "\n"),
                status);

        pull.destroy();
        process.destroy();
        assertTrue(pull.waitFor(30, TimeUnit.SECONDS) && process.waitFor(30, TimeUnit.SECONDS));
        Result pullGone = check("check_haproxystats_pull", conf);
        assertEquals(2, pullGone.exit(), pullGone.out());
        assertTrue(
                pullGone.out().startsWith("CRITICAL: haproxystats-pull is not running (pid " + pull.pid()),
                pullGone.out());
        Result processGone = check("check_haproxystats_process", conf);
        assertEquals(2, processGone.exit(), processGone.out());
        // A stopped daemon's status file is not trusted for paths: the check asks the executable.
        Result goneWithoutJvm = checkWithoutJvm("check_haproxystats_pull", conf);
        assertEquals(3, goneWithoutJvm.exit(), goneWithoutJvm.out());
        assertTrue(goneWithoutJvm.out().contains("/nonexistent/haproxystats-process"), goneWithoutJvm.out());
    }

    @Test
    void theSystemdUnitsPassSystemdAnalyzeVerify() throws Exception {
        Path units = Files.createDirectories(tmp.resolve("units"));
        for (String d : List.of("pull", "process", "central")) {
            String unit = Files.readString(CONTRIB.resolve("systemd/haproxystats-" + d + ".service"));
            assertTrue(
                    unit.contains("Type=notify")
                            && unit.contains("WatchdogSec=")
                            && unit.contains("SuccessExitStatus=143")
                            && unit.contains("ProtectSystem=strict")
                            && unit.contains("CapabilityBoundingSet=\n"),
                    unit);
            // verify checks that ExecStart exists: point it at the built executable.
            Path exe = d.equals("pull") ? PULL : PROCESS;
            Files.writeString(
                    units.resolve("haproxystats-" + d + ".service"),
                    unit.replace("/usr/bin/haproxystats-" + (d.equals("central") ? "process" : d), exe.toString()));
        }
        // The fleet page: read-only, no sd_notify (Type=exec), nothing writable.
        String fleet = Files.readString(CONTRIB.resolve("systemd/haproxystats-fleet.service"));
        assertTrue(
                fleet.contains("Type=exec")
                        && fleet.contains("ExecStart=/usr/bin/haproxystats-fleet serve -f ${CONFIG}\n")
                        && fleet.contains("ProtectSystem=strict")
                        && !fleet.contains("ReadWritePaths")
                        && fleet.contains("CapabilityBoundingSet=\n"),
                fleet);
        Files.writeString(
                units.resolve("haproxystats-fleet.service"),
                fleet.replace(
                        "/usr/bin/haproxystats-fleet",
                        PROCESS.resolveSibling("haproxystats-fleet").toString()));
        Result good = run(
                "systemd-analyze",
                "verify",
                units.resolve("haproxystats-pull.service").toString(),
                units.resolve("haproxystats-process.service").toString(),
                units.resolve("haproxystats-central.service").toString(),
                units.resolve("haproxystats-fleet.service").toString());
        assertEquals(0, good.exit(), good.out());
        // Judged on the lines about our units only: verify also reports on the machine's other units
        // (Debian's carbon-cache.service: "Standard output type syslog is obsolete").
        assertEquals("", ours(good.out()), "no warning about our units either");
        // systemd-analyze exits 0 on a setting it ignores, so its output is checked too: a broken
        // copy is reported, which shows the check is not a formality.
        Path broken = units.resolve("haproxystats-broken.service");
        Files.writeString(
                broken,
                Files.readString(units.resolve("haproxystats-pull.service")).replace("Type=notify", "Type=notifyy"));
        Result bad = run("systemd-analyze", "verify", broken.toString());
        assertTrue(ours(bad.out()).contains("Failed to parse service type, ignoring: notifyy"), bad.out());
    }

    private static String ours(String verifyOutput) {
        return verifyOutput
                .lines()
                .filter(l -> l.contains("haproxystats"))
                .reduce("", (a, b) -> a + b + "\n")
                .strip();
    }

    @Test
    void theSystemdUnitsAreHardenedToAnExposureOfAtMostTwoAndAHalf() throws Exception {
        for (String d : List.of("pull", "process", "fleet")) {
            Path unit = CONTRIB.resolve("systemd/haproxystats-" + d + ".service");
            Result security = run("systemd-analyze", "security", "--offline=true", unit.toString());
            Matcher m = Pattern.compile("Overall exposure level for haproxystats-" + d + "\\.service: ([0-9.]+)")
                    .matcher(security.out());
            assertTrue(m.find(), security.out());
            double exposure = Double.parseDouble(m.group(1));
            System.out.println("systemd-analyze security haproxystats-" + d + ".service: " + exposure);
            assertTrue(exposure <= 2.5, "exposure " + exposure + " > 2.5:\n" + security.out());
        }
    }

    private static Result run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }
}
