package io.haproxystats.pull;

import static io.haproxystats.common.testing.Daemons.PULL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.testing.Daemons;
import io.haproxystats.common.testing.Entries;
import io.haproxystats.common.testing.HaproxyInstance;
import io.haproxystats.common.testing.TestConfig;
import io.haproxystats.common.testing.Wait;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The haproxystats-pull executable against real HAProxy instances: the directory contract, and SIGTERM. */
class PullExecutableIT {

    @TempDir
    Path tmp;

    private Path config(Path socketDir, String pullTimeout) throws IOException {
        Path conf = tmp.resolve("pull.conf");
        Files.writeString(conf, TestConfig.spool(tmp.resolve("spool"), socketDir) + """
                pull-timeout = %s
                queue-size = 1000
                """.formatted(pullTimeout));
        return conf;
    }

    @Test
    void aWatcherOfDstDirOnlyEverSeesCompletePolls() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        try (HaproxyInstance a = HaproxyInstance.start(run, "a");
                HaproxyInstance b = HaproxyInstance.start(run, "b");
                HaproxyInstance c = HaproxyInstance.start(run, "c")) {
            Path incoming = tmp.resolve("spool/incoming");
            Process pull = Daemons.start(PULL, config(run, "2"), tmp.resolve("pull.log"));
            Set<String> seen = ConcurrentHashMap.newKeySet();
            List<String> problems = new ArrayList<>();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            // Look as often as we can: the moment a directory is visible it must be complete.
            while (System.nanoTime() < until) {
                for (String poll : list(incoming)) {
                    if (seen.add(poll)) {
                        List<String> files = list(incoming.resolve(poll));
                        if (!files.equals(List.of(
                                "a.sock_info",
                                "a.sock_stat",
                                "b.sock_info",
                                "b.sock_stat",
                                "c.sock_info",
                                "c.sock_stat"))) {
                            problems.add(poll + ": " + files);
                        }
                        for (String f : files) {
                            String text =
                                    Files.readString(incoming.resolve(poll).resolve(f));
                            if (!text.endsWith("\n\n")) {
                                problems.add(poll + "/" + f + " is not complete");
                            }
                        }
                    }
                }
            }
            pull.destroy();
            assertTrue(pull.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, pull.exitValue(), Files.readString(tmp.resolve("pull.log")));
            assertEquals(List.of(), problems);
            assertTrue(seen.size() >= 3, "polls seen: " + seen);
            assertEquals(List.of(), list(tmp.resolve("spool/incoming.tmp")));
            String log = Files.readString(tmp.resolve("pull.log"));
            assertTrue(log.contains("done 6, pending 0, succeeded 6, failed 0"), log);
        }
    }

    @Test
    void sigtermWhileAPollHangsOnASilentSocketExitsZeroWithinTheBoundAndLeavesNoTemp() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        try (HaproxyInstance a = HaproxyInstance.start(run, "a");
                ServerSocketChannel silent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            silent.bind(UnixDomainSocketAddress.of(run.resolve("silent.sock")));
            List<SocketChannel> held = new ArrayList<>();
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // accepts, never answers
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            Path spoolTmp = tmp.resolve("spool/incoming.tmp");
            Process pull = Daemons.start(PULL, config(run, "20"), tmp.resolve("pull.log"));
            Wait.until(Duration.ofSeconds(15), () -> !list(spoolTmp).isEmpty(), "a poll in flight");
            Thread.sleep(300); // well inside the hung poll (pull-timeout 20 s)
            long t0 = System.nanoTime();
            pull.destroy(); // SIGTERM
            boolean exited = pull.waitFor(30, TimeUnit.SECONDS);
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(exited);
            assertEquals(0, pull.exitValue(), Files.readString(tmp.resolve("pull.log")));
            // The contract: within 1 s plus pull-timeout; abandoning the poll should not need the timeout at all.
            assertTrue(tookMillis < 21_000, "exited after " + tookMillis + " ms");
            assertEquals(List.of(), list(spoolTmp), "the abandoned poll's temp directory is removed");
            assertEquals(List.of(), list(tmp.resolve("spool/incoming")), "nothing partial landed");
            String log = Files.readString(tmp.resolve("pull.log"));
            assertTrue(log.contains("abandoned: stopping"), log);
            System.out.println("SIGTERM during a hung poll: exit 0 after " + tookMillis + " ms");
        }
    }

    @Test
    void showServersPrintsEveryServerReadOnlyAndExitsTwoWhenASocketCannotBeRead() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        try (HaproxyInstance a = HaproxyInstance.start(run, "a");
                HaproxyInstance b = HaproxyInstance.start(run, "b")) {
            HaproxyInstance.cli(a.socket(), "disable server be.app/web-2");
            HaproxyInstance.cli(b.socket(), "set server be.app/web-2 state drain");
            Path conf = config(run, "2");
            Result all = pull(conf, "--show-servers");
            assertEquals(0, all.exit(), all.out());
            List<String> lines = all.out().lines().toList();
            assertTrue(lines.contains("a.sock: be.app/web-2: DOWN/MAINT"), all.out());
            assertTrue(lines.contains("b.sock: be.app/web-2: UP/DRAIN"), all.out());
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("a.sock: be.app/web.1: ")), all.out());
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("b.sock: be_other/other: ")), all.out());
            assertEquals(6, lines.size(), "3 servers x 2 instances: " + all.out());

            Result one = pull(conf, "--show-servers", "--server", "web-2");
            assertEquals(
                    List.of("a.sock: be.app/web-2: DOWN/MAINT", "b.sock: be.app/web-2: UP/DRAIN"),
                    one.out().lines().toList());
            String after = HaproxyInstance.cli(a.socket(), "show servers state be.app");
            assertTrue(after.contains(" web-2 "), "read-only: the state is as the test set it: " + after);

            try (var dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                dead.bind(UnixDomainSocketAddress.of(run.resolve("gone.sock")));
            }
            Result broken = pull(conf, "--show-servers");
            assertEquals(2, broken.exit(), broken.out());
            assertTrue(
                    broken.out()
                            .contains("haproxystats-pull: unix://" + run.resolve("gone.sock")
                                    + " 'show servers state': cannot connect"),
                    broken.out());
            assertTrue(broken.out().contains("a.sock: be.app/web-2: DOWN/MAINT"), "the readable sockets still print");
        }
    }

    /** Through a master socket, every worker's servers, labelled as the worker's poll files. */
    @Test
    void showServersReadsEveryWorkerOfAMasterSocket() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Path master = tmp.resolve("mw.master");
        try (HaproxyInstance mw = HaproxyInstance.startMasterWorker(tmp, "mw", master)) {
            Wait.until(Duration.ofSeconds(10), () -> workers(master).size() == 1, "the worker in show proc");
            long pid = workers(master).get(0);
            HaproxyInstance.cli(mw.socket(), "set server be.app/web-2 state drain");
            Path conf = config(run, "2");
            Files.writeString(conf, Files.readString(conf) + "master-sockets = " + master + "\n");
            Result r = pull(conf, "--show-servers", "--server", "web-2");
            assertEquals(0, r.exit(), r.out());
            assertEquals(
                    List.of("mw.master." + pid + ": be.app/web-2: UP/DRAIN"),
                    r.out().lines().toList());
        }
    }

    private static List<Long> workers(Path master) {
        try {
            return MasterWorkers.parse(HaproxyInstance.cli(master, "show proc")).stream()
                    .map(MasterWorkers.Worker::pid)
                    .toList();
        } catch (IOException | MasterWorkers.MalformedException e) {
            return List.of();
        }
    }

    record Result(int exit, String out) {}

    private Result pull(Path conf, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PULL.toString(), "-f", conf.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }

    private static List<String> list(Path dir) {
        try {
            return new ArrayList<>(Entries.names(dir));
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
