package io.haproxystats.process;

import static io.haproxystats.common.testing.Daemons.PULL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.testing.Daemons;
import io.haproxystats.common.testing.Entries;
import io.haproxystats.common.testing.HaproxyInstance;
import io.haproxystats.common.testing.TestConfig;
import io.haproxystats.common.testing.Wait;
import io.haproxystats.process.compute.PollComputation;
import io.haproxystats.process.testing.Fixtures;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code haproxy -W -S <master socket>} reloaded while a slow client keeps a connection
 * through the old worker: the puller (the executable, with {@code master-sockets}) polls both
 * workers, and the processor's aggregate {@code scur} counts the old worker's connection, with a
 * per-worker series for each when per-process-metrics is on.
 */
class MasterCliIT {

    @TempDir
    Path tmp;

    @Test
    void pollsEveryWorkerOfAMasterIncludingTheOldOneThatStillServesAConnection() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(backend.accept()); // accepts and keeps the connection open
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            int frontendPort = HaproxyInstance.freePort();
            Path master = tmp.resolve("mw.master");
            Path cfg = Files.writeString(tmp.resolve("mw.cfg"), """
                    global
                        stats socket %s mode 600 level admin
                    defaults
                        mode tcp
                        timeout connect 1s
                        timeout client 60s
                        timeout server 60s
                    frontend fe_mw
                        bind 127.0.0.1:%d
                        default_backend be_mw
                    backend be_mw
                        server s1 127.0.0.1:%d
                    """.formatted(
                            tmp.resolve("worker.sock"), frontendPort, backend.getLocalPort()));
            Process haproxy = new ProcessBuilder("haproxy", "-db", "-W", "-S", master.toString(), "-f", cfg.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("haproxy.log").toFile())
                    .start();
            try (Socket slowClient = connectWhenListening(frontendPort)) {
                Wait.until(Duration.ofSeconds(10), () -> held.size() == 1, "the connection reaches the backend");
                // The reload signal only once the master itself is up (its CLI lists its worker): a
                // worker can serve before the master has finished starting, and a SIGUSR2 then is lost.
                Wait.until(
                        Duration.ofSeconds(10),
                        () -> proc(master).matches("(?s).*# workers\\n\\d+\\s+worker.*"),
                        "the master lists its worker");
                new ProcessBuilder("kill", "-USR2", Long.toString(haproxy.pid()))
                        .start()
                        .waitFor();
                Wait.until(
                        Duration.ofSeconds(20),
                        () -> proc(master).contains("# old workers\n")
                                && proc(master).split("# old workers\n")[1].matches("(?s)\\d+\\s+worker.*"),
                        "an old worker keeps serving the slow client after the reload");

                Path spool = tmp.resolve("spool");
                Path conf = Files.writeString(
                        tmp.resolve("pull.conf"), TestConfig.spool(spool, "master-sockets = " + master));
                Process pull = Daemons.start(PULL, conf, tmp.resolve("pull.log"));
                Path incoming = spool.resolve("incoming");
                Wait.until(Duration.ofSeconds(30), () -> !list(incoming).isEmpty(), "a complete poll");
                pull.destroy();
                assertTrue(pull.waitFor(20, TimeUnit.SECONDS));
                Path poll = incoming.resolve(list(incoming).get(0));
                List<String> files = list(poll);
                assertEquals(5, files.size(), "show proc + info and stat of 2 workers: " + files);
                assertTrue(files.contains("mw.master_proc"), files.toString());
                assertEquals(
                        2,
                        files.stream()
                                .filter(f -> f.matches("mw\\.master\\.\\d+_stat"))
                                .count(),
                        files.toString());

                PollComputation computation = Fixtures.computation(
                        tmp,
                        "[graphite]\nnamespace = lb\n"
                                + "prefix-hostname = false\n[process]\nper-process-metrics = true\n",
                        "h");
                PollComputation.Result r =
                        computation.compute(poll.getFileName().toString(), Fixtures.files(poll), Set.of(), Set.of());
                assertEquals(List.of(), r.errors());
                Map<String, String> out = Fixtures.values(r.batch());
                assertEquals("1", out.get("lb.haproxy.frontend.fe_mw.scur"), "the old worker's live connection counts");
                assertEquals("1", out.get("lb.haproxy.backend.be_mw.server.s1.scur"));
                long perWorker = out.keySet().stream()
                        .filter(k -> k.matches("lb\\.haproxy\\.daemon\\.process\\.mw_master_\\d+\\.CurrConns"))
                        .count();
                assertEquals(2, perWorker, "a per-worker series for each, keyed by master and pid: " + out.keySet());
            } finally {
                haproxy.destroy();
                haproxy.waitFor(10, TimeUnit.SECONDS);
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    private static Socket connectWhenListening(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                return new Socket(InetAddress.getLoopbackAddress(), port);
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    private static String proc(Path master) {
        try {
            return HaproxyInstance.cli(master, "show proc");
        } catch (IOException e) {
            return "";
        }
    }

    private static List<String> list(Path dir) {
        try {
            return new ArrayList<>(Entries.names(dir));
        } catch (IOException e) {
            return List.of();
        }
    }
}
