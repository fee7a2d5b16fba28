package io.haproxystats.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.config.Connect;
import io.haproxystats.common.haproxy.SocketAddress;
import io.haproxystats.common.testing.HaproxyInstance;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The puller against real HAProxy processes, and against fault shapes a real HAProxy cannot produce. */
class PullerIT {

    @TempDir
    Path tmp;
    Path sockets;
    Path dst;
    Path spoolTmp;
    final List<AutoCloseable> closeables = new ArrayList<>();
    final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);

    @BeforeEach
    void dirs() throws IOException {
        sockets = Files.createDirectories(tmp.resolve("run"));
        dst = tmp.resolve("incoming");
        spoolTmp = tmp.resolve("incoming.tmp");
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        timer.shutdownNow();
    }

    private HaproxyInstance haproxy(String name) throws Exception {
        HaproxyInstance h = HaproxyInstance.start(sockets, name);
        closeables.add(h);
        return h;
    }

    private Poller poller(List<SocketAddress> servers, Duration pullTimeout, long bufferLimit, int queueSize)
            throws IOException {
        Spool spool = new Spool(dst, spoolTmp);
        spool.prepare();
        StatsClient client = new StatsClient(new Connect(1, Duration.ofMillis(200), Duration.ofMillis(50), 1),
                bufferLimit, timer);
        return new Poller(new SocketDiscovery(Optional.of(sockets), servers), client, spool, pullTimeout, queueSize,
                InstantSource.system());
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void pollsEveryRealInstanceOverUnixAndTcpIntoOneCompleteDirectory() throws Exception {
        HaproxyInstance a = haproxy("a");
        haproxy("b");
        haproxy("c");
        SocketAddress tcp = new SocketAddress.Tcp("127.0.0.1", a.statsPort());
        PollResult result = poller(List.of(tcp), Duration.ofSeconds(2), 6291456, 10).pollOnce().orElseThrow();

        assertTrue(result.committed(), result.failures().toString());
        assertEquals(8, result.requests());
        Path poll = dst.resolve(Long.toString(result.epoch()));
        String tcpName = "127.0.0.1:" + a.statsPort();
        assertEquals(List.of(tcpName + "_info", tcpName + "_stat", "a.sock_info", "a.sock_stat", "b.sock_info",
                "b.sock_stat", "c.sock_info", "c.sock_stat"), names(poll));
        for (String name : names(poll)) {
            String text = Files.readString(poll.resolve(name), StandardCharsets.UTF_8);
            assertTrue(text.endsWith("\n\n"), name + " ends with HAProxy's empty line");
            if (name.endsWith("_stat")) {
                assertTrue(text.startsWith("# pxname,svname,"), name);
                assertTrue(text.contains("\nbe.app,web.1,"), name + " has the server rows");
            } else {
                assertTrue(text.startsWith("Name: HAProxy\n"), name);
                assertTrue(text.contains("\nProcess_num: 1\n"), name);
            }
        }
        assertEquals(List.of(), names(spoolTmp), "nothing left in tmp-dst-dir");
    }

    @Test
    void aSilentSocketFailsThePollAtTheDeadlineAndNothingLands() throws Exception {
        haproxy("a");
        ServerSocketChannel silent = unixServer("silent.sock");
        Thread acceptor = Thread.ofVirtual().start(() -> {
            List<SocketChannel> held = new ArrayList<>();
            try {
                while (true) {
                    held.add(silent.accept()); // accepts and never answers
                }
            } catch (IOException e) {
                // closed by the test
            }
        });
        long t0 = System.nanoTime();
        PollResult result = poller(List.of(), Duration.ofMillis(500), 6291456, 10).pollOnce().orElseThrow();
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;

        assertFalse(result.committed());
        assertEquals(2, result.failures().size(), result.failures().toString());
        assertTrue(result.failures().get(0).contains("silent.sock"), result.failures().toString());
        assertTrue(result.failures().get(0).contains("pull-timeout"), result.failures().toString());
        assertEquals(List.of(), names(dst));
        assertEquals(List.of(), names(spoolTmp));
        assertTrue(tookMillis < 5000, "the poll ended by its deadline, not by the peer: " + tookMillis + " ms");
        silent.close();
        acceptor.join();
    }

    @Test
    void aTruncatedAnswerIsAFailureNotAShortFile() throws Exception {
        ServerSocketChannel half = unixServer("half.sock");
        Thread server = Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    try (SocketChannel c = half.accept()) {
                        c.read(ByteBuffer.allocate(64));
                        c.write(ByteBuffer.wrap("# pxname,svname,scur,\nfe,FRONTEND,1,\nbe,BAC".getBytes()));
                    }
                }
            } catch (IOException e) {
                // closed by the test
            }
        });
        PollResult result = poller(List.of(), Duration.ofSeconds(2), 6291456, 10).pollOnce().orElseThrow();
        assertFalse(result.committed());
        assertTrue(result.failures().stream().anyMatch(f -> f.contains("truncated answer")), result.failures().toString());
        assertEquals(List.of(), names(dst));
        half.close();
        server.join();
    }

    @Test
    void anAnswerOverBufferLimitIsAFailure() throws Exception {
        haproxy("a");
        PollResult result = poller(List.of(), Duration.ofSeconds(2), 200, 10).pollOnce().orElseThrow();
        assertFalse(result.committed());
        assertTrue(result.failures().stream().allMatch(f -> f.contains("buffer-limit")), result.failures().toString());
        assertEquals(List.of(), names(dst));
    }

    @Test
    void aSocketFileWhoseServerIsGoneIsRetriedThenFails() throws Exception {
        unixServer("gone.sock").close(); // the file stays, nobody listens
        PollResult result = poller(List.of(), Duration.ofSeconds(2), 6291456, 10).pollOnce().orElseThrow();
        assertFalse(result.committed());
        assertTrue(result.failures().get(0).contains("cannot connect (2 tries)"), result.failures().toString());
    }

    @Test
    void aFullQueueSuspendsPollingUntilTheProcessorCatchesUp() throws Exception {
        haproxy("a");
        Poller poller = poller(List.of(), Duration.ofSeconds(2), 6291456, 2);
        Files.createDirectories(dst.resolve("100"));
        Files.createDirectories(dst.resolve("101"));
        assertTrue(poller.pollOnce().isEmpty(), "skipped while dst-dir holds queue-size directories");
        assertEquals(List.of("100", "101"), names(dst));
        Files.delete(dst.resolve("100"));
        assertTrue(poller.pollOnce().orElseThrow().committed(), "resumes once there is room");
        assertEquals(2, names(dst).size());
    }

    @Test
    void aKilledInstanceFailsPollsAndTheyResumeWhenItReturns() throws Exception {
        HaproxyInstance a = haproxy("a");
        Poller poller = poller(List.of(), Duration.ofSeconds(1), 6291456, 100);
        assertTrue(poller.pollOnce().orElseThrow().committed());
        a.close();
        PollResult failed = poller.pollOnce().orElseThrow();
        assertFalse(failed.committed(), "a socket file without its HAProxy fails the poll");
        assertEquals(List.of(), names(spoolTmp));
        Files.deleteIfExists(a.socket());
        Thread.sleep(1000); // polls are named by the second: keep the next one distinct
        HaproxyInstance again = haproxy("a");
        assertTrue(again.isAlive());
        assertTrue(poller.pollOnce().orElseThrow().committed());
        assertEquals(2, names(dst).size());
    }

    private ServerSocketChannel unixServer(String name) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(sockets.resolve(name)));
        return s;
    }
}
