package io.haproxystats.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.config.Connect;
import io.haproxystats.common.haproxy.SocketAddress;
import io.haproxystats.common.spool.Directories;
import io.haproxystats.common.spool.PollFiles.Command;
import io.haproxystats.common.testing.Entries;
import io.haproxystats.common.testing.HaproxyInstance;
import io.haproxystats.common.time.Clock;
import io.haproxystats.common.time.SteppingWallClock;
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
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The puller against real HAProxy processes, and against fault shapes a real HAProxy cannot produce. */
class PullerIT {

    /** Polls are named by the second: a new second at each poll, so polls can run back to back. */
    final Clock pollNames = new SteppingWallClock(Instant.now().truncatedTo(ChronoUnit.SECONDS), Duration.ofSeconds(1));

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
        return poller(servers, List.of(Command.INFO, Command.STAT), pullTimeout, bufferLimit, queueSize);
    }

    private Poller poller(
            List<SocketAddress> servers, List<Command> commands, Duration pullTimeout, long bufferLimit, int queueSize)
            throws IOException {
        Spool spool = new Spool(dst, spoolTmp);
        spool.prepare();
        StatsClient client = new StatsClient(
                new Connect(1, Duration.ofMillis(200), Duration.ofMillis(50), 1), bufferLimit, timer, Clock.system());
        return new Poller(
                new SocketDiscovery(Optional.of(sockets), servers),
                List.of(),
                commands,
                client,
                spool,
                pullTimeout,
                queueSize,
                pollNames,
                true);
    }

    private static List<String> names(Path dir) throws IOException {
        return Entries.names(dir);
    }

    @Test
    void pollsEveryRealInstanceOverUnixAndTcpIntoOneCompleteDirectory() throws Exception {
        HaproxyInstance a = haproxy("a");
        haproxy("b");
        haproxy("c");
        SocketAddress tcp = new SocketAddress.Tcp("127.0.0.1", a.statsPort());
        PollResult result = poller(List.of(tcp), Duration.ofSeconds(2), 6291456, 10)
                .pollOnce()
                .orElseThrow();

        assertTrue(result.committed(), result.failures().toString());
        assertEquals(8, result.requests());
        Path poll = dst.resolve(Long.toString(result.epoch()));
        String tcpName = "127.0.0.1:" + a.statsPort();
        assertEquals(
                List.of(
                        tcpName + "_info",
                        tcpName + "_stat",
                        "a.sock_info",
                        "a.sock_stat",
                        "b.sock_info",
                        "b.sock_stat",
                        "c.sock_info",
                        "c.sock_stat"),
                names(poll));
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

    /**
     * Two ticks that start in one wall-clock second (a late tick and the next, on time, on a loaded
     * host) give two polls with two names: the second is not discarded while the first waits in
     * dst-dir, nor landed under the same name once the first was processed.
     */
    @Test
    void twoPollsThatStartInOneSecondGetTwoNames() throws Exception {
        haproxy("a");
        Spool spool = new Spool(dst, spoolTmp);
        spool.prepare();
        Clock frozen = new Clock() { // real time for deadlines, one wall-clock second for names
                    @Override
                    public long nanoTime() {
                        return System.nanoTime();
                    }

                    @Override
                    public void sleep(Duration duration) throws InterruptedException {
                        Clock.system().sleep(duration);
                    }

                    @Override
                    public Instant instant() {
                        return Instant.ofEpochSecond(1_700_000_000L);
                    }
                };
        Poller poller = new Poller(
                new SocketDiscovery(Optional.of(sockets), List.of()),
                List.of(),
                List.of(Command.INFO, Command.STAT),
                new StatsClient(
                        new Connect(3, Duration.ofSeconds(2), Duration.ofMillis(50), 1),
                        6291456,
                        timer,
                        Clock.system()),
                spool,
                Duration.ofSeconds(10),
                10,
                frozen,
                true);
        PollResult first = poller.pollOnce().orElseThrow();
        PollResult second = poller.pollOnce().orElseThrow();
        assertTrue(first.committed() && second.committed(), first.failures() + " " + second.failures());
        assertEquals(List.of("1700000000", "1700000001"), names(dst), "the second waited behind the first");
        Directories.deleteTree(dst.resolve("1700000000"));
        Directories.deleteTree(dst.resolve("1700000001"));
        PollResult third = poller.pollOnce().orElseThrow();
        assertTrue(third.committed(), third.failures().toString());
        assertEquals(List.of("1700000002"), names(dst), "processed polls' names are not used again");
    }

    @Test
    void serversStateIsAskedOfEverySocketWhenCommandsNameIt() throws Exception {
        HaproxyInstance a = haproxy("a");
        SocketAddress tcp = new SocketAddress.Tcp("127.0.0.1", a.statsPort());
        PollResult result = poller(
                        List.of(tcp),
                        List.of(Command.INFO, Command.STAT, Command.SERVERS_STATE),
                        Duration.ofSeconds(2),
                        6291456,
                        10)
                .pollOnce()
                .orElseThrow();
        assertTrue(result.committed(), result.failures().toString());
        Path poll = dst.resolve(Long.toString(result.epoch()));
        String tcpName = "127.0.0.1:" + a.statsPort();
        assertEquals(
                List.of(
                        tcpName + "_info",
                        tcpName + "_servers_state",
                        tcpName + "_stat",
                        "a.sock_info",
                        "a.sock_servers_state",
                        "a.sock_stat"),
                names(poll));
        String state = Files.readString(poll.resolve("a.sock_servers_state"), StandardCharsets.UTF_8);
        assertTrue(state.startsWith("1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state"), state);
        assertTrue(state.contains(" be.app 1 web.1 "), state);
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
        PollResult result = poller(List.of(), Duration.ofMillis(500), 6291456, 10)
                .pollOnce()
                .orElseThrow();
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;

        assertFalse(result.committed());
        assertEquals(2, result.failures().size(), result.failures().toString());
        assertTrue(
                result.failures().get(0).contains("silent.sock"),
                result.failures().toString());
        assertTrue(
                result.failures().get(0).contains("pull-timeout"),
                result.failures().toString());
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
        PollResult result =
                poller(List.of(), Duration.ofSeconds(2), 6291456, 10).pollOnce().orElseThrow();
        assertFalse(result.committed());
        assertTrue(
                result.failures().stream().anyMatch(f -> f.contains("truncated answer")),
                result.failures().toString());
        assertEquals(List.of(), names(dst));
        half.close();
        server.join();
    }

    /** A master CLI on a UNIX socket outside socket-dir that answers every command with {@code answer}. */
    private Thread fakeMaster(ServerSocketChannel master, String answer) {
        return Thread.ofVirtual().start(() -> {
            while (master.isOpen()) {
                try (SocketChannel c = master.accept()) {
                    c.read(ByteBuffer.allocate(64));
                    ByteBuffer out = ByteBuffer.wrap(answer.getBytes(StandardCharsets.US_ASCII));
                    while (out.hasRemaining()) {
                        c.write(out);
                    }
                } catch (IOException e) {
                    // the client gave up on this connection, or the test closed the master
                }
            }
        });
    }

    @Test
    void aHostileMasterFailsThePollCleanlyAndLeavesNothingInTmpDstDir() throws Exception {
        haproxy("a");
        Path masterPath = Files.createDirectories(tmp.resolve("masters")).resolve("m.sock");
        ServerSocketChannel master = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        master.bind(UnixDomainSocketAddress.of(masterPath));
        StringBuilder proc = new StringBuilder("#<PID>          <type>\n1 master 0\n# workers\n");
        for (int pid = 100; pid < 100 + 1500; pid++) {
            proc.append(pid).append("  worker  0  0d00h00m01s  2.6\n");
        }
        Thread server = fakeMaster(master, proc.append("\n").toString());
        Spool spool = new Spool(dst, spoolTmp);
        spool.prepare();
        StatsClient client = new StatsClient(
                new Connect(1, Duration.ofMillis(200), Duration.ofMillis(50), 1), 6291456, timer, Clock.system());
        Poller poller = new Poller(
                new SocketDiscovery(Optional.of(sockets), List.of()),
                List.of(new SocketAddress.Unix(masterPath)),
                List.of(Command.INFO, Command.STAT),
                client,
                spool,
                Duration.ofSeconds(2),
                10,
                pollNames,
                true);
        PollResult result = poller.pollOnce().orElseThrow();
        assertFalse(result.committed());
        assertTrue(
                result.failures().stream().anyMatch(f -> f.contains("'show proc': lists more than 1024 workers")),
                result.failures().toString());
        assertEquals(List.of(), names(spoolTmp), "nothing left in tmp-dst-dir");
        assertEquals(List.of(), names(dst));
        // A failure outside the requests (the master's 'show proc') is not a request left pending:
        // the log said "pending -1" (issue 27, item 10).
        assertEquals(0, result.pending(), result.toString());

        // A 1 MB 'show proc' (read up to 256 KiB) fails the poll the same way: pending 0.
        master.close();
        server.join();
        Files.delete(masterPath);
        master = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        master.bind(UnixDomainSocketAddress.of(masterPath));
        server = fakeMaster(master, "#<PID>  <type>\n" + "#".repeat(1 << 20) + "\n\n");
        result = poller.pollOnce().orElseThrow();
        assertFalse(result.committed());
        assertEquals(1, result.failures().size(), result.failures().toString());
        assertTrue(
                result.failures().get(0).contains("'show proc'"),
                result.failures().toString());
        assertEquals(0, result.pending(), result.toString());

        // A pid of 20 digits must not throw NumberFormatException out of the poll, which would
        // leave its directory (with the other sockets' answers) in tmp-dst-dir at every poll.
        master.close();
        server.join();
        Files.delete(masterPath);
        master = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        master.bind(UnixDomainSocketAddress.of(masterPath));
        server = fakeMaster(master, "#<PID>  <type>\n# workers\n12345678901234567890 worker 0\n\n");
        result = poller.pollOnce().orElseThrow();
        assertTrue(result.committed(), result.failures().toString());
        assertEquals(
                List.of("a.sock_info", "a.sock_stat", "m.sock_proc"),
                names(dst.resolve(Long.toString(result.epoch()))),
                "no worker to poll through it");
        assertEquals(List.of(), names(spoolTmp));
        master.close();
        server.join();
    }

    @Test
    void aConnectThatSucceedsAsItsTimerFiresIsNeverClosedUnderTheRequest() throws Exception {
        // Connect timeouts about as long as a connect to a real socket takes, so that the timer
        // often fires just as connect returns. It must never close the connected channel then
        // (the failure would be a bare ClosedChannelException, with no retry).
        HaproxyInstance a = haproxy("a");
        List<String> failures = new ArrayList<>();
        int i = 0;
        for (long micros : new long[] {5, 20, 50, 100, 200, 500}) {
            StatsClient client = new StatsClient(
                    new Connect(3, Duration.ofNanos(micros * 1000), Duration.ZERO, 1), 6291456, timer, Clock.system());
            for (int n = 0; n < 100; n++) {
                Path target = tmp.resolve("answer-" + i++);
                try {
                    client.fetch(new SocketAddress.Unix(a.socket()), Command.INFO, Long.MAX_VALUE, target);
                } catch (FetchException e) {
                    failures.add(e.getMessage());
                }
            }
        }
        assertTrue(failures.stream().noneMatch(f -> f.contains("ClosedChannelException")), failures.toString());
    }

    @Test
    void anAnswerOverBufferLimitIsAFailure() throws Exception {
        haproxy("a");
        PollResult result =
                poller(List.of(), Duration.ofSeconds(2), 200, 10).pollOnce().orElseThrow();
        assertFalse(result.committed());
        assertTrue(
                result.failures().stream().allMatch(f -> f.contains("buffer-limit")),
                result.failures().toString());
        assertEquals(List.of(), names(dst));
    }

    @Test
    void aSocketFileWhoseServerIsGoneIsRetriedThenFails() throws Exception {
        unixServer("gone.sock").close(); // the file stays, nobody listens
        PollResult result =
                poller(List.of(), Duration.ofSeconds(2), 6291456, 10).pollOnce().orElseThrow();
        assertFalse(result.committed());
        assertTrue(
                result.failures().get(0).contains("cannot connect (2 tries)"),
                result.failures().toString());
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
        HaproxyInstance again = haproxy("a");
        assertTrue(again.isAlive());
        assertTrue(poller.pollOnce().orElseThrow().committed());
        assertEquals(2, names(dst).size());
    }

    @Test
    void aStoppedInstanceIsLeftOutAndTheOthersStillLandUnlessTheOriginalRuleIsAskedFor() throws Exception {
        HaproxyInstance a = haproxy("a");
        haproxy("b");
        Poller poller = poller(List.of(), Duration.ofSeconds(2), 6291456, 100);
        assertTrue(poller.pollOnce().orElseThrow().committed());
        a.close(); // HAProxy leaves its socket file behind: connections are refused
        assertTrue(Files.exists(a.socket()));
        PollResult without = poller.pollOnce().orElseThrow();
        assertTrue(without.committed(), without.failures().toString());
        assertEquals(1, without.deadSockets());
        assertEquals(2, without.requests());
        Path poll = dst.resolve(Long.toString(without.epoch()));
        assertEquals(List.of("a.sock_dead", "b.sock_info", "b.sock_stat"), names(poll));
        assertTrue(
                Files.readString(poll.resolve("a.sock_dead"))
                        .contains("cannot connect (2 tries): ConnectException: " + "Connection refused"),
                Files.readString(poll.resolve("a.sock_dead")));
        // The file gone altogether: socket-dir no longer lists it; named in servers, it is dead too.
        Files.delete(a.socket());
        PollResult gone = poller(List.of(new SocketAddress.Unix(a.socket())), Duration.ofSeconds(2), 6291456, 100)
                .pollOnce()
                .orElseThrow();
        assertTrue(gone.committed(), gone.failures().toString());
        assertTrue(Files.readString(dst.resolve(Long.toString(gone.epoch())).resolve("a.sock_dead"))
                .contains("No such file or directory"));

        Spool spool = new Spool(dst, spoolTmp);
        spool.prepare();
        StatsClient client = new StatsClient(
                new Connect(1, Duration.ofMillis(200), Duration.ofMillis(50), 1), 6291456, timer, Clock.system());
        Poller original = new Poller(
                new SocketDiscovery(Optional.of(sockets), List.of(new SocketAddress.Unix(a.socket()))),
                List.of(),
                List.of(Command.INFO, Command.STAT),
                client,
                spool,
                Duration.ofSeconds(2),
                100,
                pollNames,
                false);
        PollResult failed = original.pollOnce().orElseThrow();
        assertFalse(failed.committed(), "skip-dead-sockets = false: the original's rule");
        assertEquals(List.of(), names(spoolTmp));
    }

    @Test
    void aPathThatIsNotASocketIsIgnoredInSocketDirAndFailsAsAServer() throws Exception {
        haproxy("a");
        Path notes = Files.writeString(sockets.resolve("notes.sock"), "not a socket\n");
        Files.createDirectories(sockets.resolve("dir.sock"));
        PollResult scanned =
                poller(List.of(), Duration.ofSeconds(2), 6291456, 10).pollOnce().orElseThrow();
        assertTrue(scanned.committed(), "only real sockets in socket-dir are polled: " + scanned.failures());
        assertEquals(2, scanned.requests());

        // Named in servers, a file where nothing listens is a socket with no HAProxy: left out, said so.
        PollResult named = poller(List.of(new SocketAddress.Unix(notes)), Duration.ofSeconds(2), 6291456, 10)
                .pollOnce()
                .orElseThrow();
        assertTrue(named.committed(), named.failures().toString());
        assertEquals(1, named.deadSockets());
        assertTrue(Files.readString(dst.resolve(Long.toString(named.epoch())).resolve("notes.sock_dead"))
                .startsWith("unix://" + notes + " 'show info': cannot connect (2 tries): "));
    }

    @Test
    void pollsDuringMasterWorkerReloadsNeverLandAPartialDirectory() throws Exception {
        Path master = Files.createDirectories(tmp.resolve("master")).resolve("mw.master");
        HaproxyInstance mw = HaproxyInstance.startMasterWorker(sockets, "mw", master);
        closeables.add(mw);
        Clock seconds = new SteppingWallClock(Instant.ofEpochSecond(1_700_000_001L), Duration.ofSeconds(1));
        Spool spool = new Spool(dst, spoolTmp);
        spool.prepare();
        StatsClient client = new StatsClient(
                new Connect(2, Duration.ofMillis(200), Duration.ofMillis(20), 1), 6291456, timer, Clock.system());
        // A distinct name per poll, so polls can run back to back.
        Poller poller = new Poller(
                new SocketDiscovery(Optional.of(sockets), List.of()),
                client,
                spool,
                Duration.ofSeconds(2),
                100_000,
                seconds);
        int committed = 0;
        int failed = 0;
        for (int reload = 0; reload < 8; reload++) {
            // A signal sent while the master is still busy with the previous reload can be merged
            // into it: wait for each reload to be counted, and send the signal again if it was not.
            int done = reload + 1;
            long giveUp = System.nanoTime() + 30_000_000_000L;
            long resendAt = 0;
            while (reloads(master) < done && System.nanoTime() < giveUp) {
                if (System.nanoTime() >= resendAt) {
                    mw.reload();
                    resendAt = System.nanoTime() + 2_000_000_000L;
                }
                if (poller.pollOnce().orElseThrow().committed()) { // keep polling while the master reloads
                    committed++;
                } else {
                    failed++;
                }
            }
            long until = System.nanoTime() + 400_000_000L;
            while (System.nanoTime() < until) {
                PollResult r = poller.pollOnce().orElseThrow();
                if (r.committed()) {
                    committed++;
                } else {
                    failed++;
                }
            }
        }
        assertTrue(mw.isAlive(), "the master survived 8 reloads");
        assertTrue(reloads(master) >= 8, "8 reloads done: " + HaproxyInstance.cli(master, "show proc"));
        boolean recovered = false;
        for (int i = 0; i < 50 && !recovered; i++) {
            recovered = poller.pollOnce().orElseThrow().committed();
            if (recovered) {
                committed++;
            } else {
                Thread.sleep(100);
            }
        }
        assertTrue(recovered, "polls succeed again after the reloads");

        // The master CLI answers "Unknown command" to show info/stat: a clear, quick failure.
        Poller masterPoller = new Poller(
                new SocketDiscovery(Optional.empty(), List.of(new SocketAddress.Unix(master))),
                client,
                spool,
                Duration.ofSeconds(2),
                100_000,
                seconds);
        PollResult wrong = masterPoller.pollOnce().orElseThrow();
        assertFalse(wrong.committed());
        assertTrue(
                wrong.failures()
                        .get(0)
                        .contains("'show info': not an answer to 'show info' (expected it to start"
                                + " with 'Name:'): starts with 'Unknown command"),
                wrong.failures().toString());
        assertTrue(wrong.wallTime().toMillis() < 2000, "failed on the answer, not at the deadline");
        assertEquals(List.of(), names(spoolTmp));
        List<String> landed = names(dst);
        assertEquals(
                committed, landed.size(), "every committed poll landed, no failed one did (" + failed + " failed)");
        for (String poll : landed) {
            Path dir = dst.resolve(poll);
            assertEquals(List.of("mw.sock_info", "mw.sock_stat"), names(dir));
            String info = Files.readString(dir.resolve("mw.sock_info"));
            assertTrue(info.startsWith("Name: HAProxy\n") && info.endsWith("\n\n"), poll + " info complete");
            List<String> rows = Files.readAllLines(dir.resolve("mw.sock_stat"));
            assertTrue(rows.get(0).startsWith("# pxname,svname,"), poll);
            assertEquals("", rows.get(rows.size() - 1), poll + " ends with the empty line");
            long columns = rows.get(0).chars().filter(c -> c == ',').count();
            for (String row : rows.subList(1, rows.size() - 1)) {
                assertEquals(columns, row.chars().filter(c -> c == ',').count(), poll + " complete row: " + row);
            }
            assertEquals(6, rows.size() - 2, poll + ": 1 frontend, 2 backends, 3 servers: " + rows);
        }
    }

    /** The master's reload count from the master CLI's {@code show proc}; -1 while it re-executes itself. */
    private static int reloads(Path master) {
        String processes;
        try {
            processes = HaproxyInstance.cli(master, "show proc");
        } catch (IOException e) {
            return -1;
        }
        return processes
                .lines()
                .filter(l -> l.matches("\\d+\\s+master\\s+\\d+ .*"))
                .map(l -> Integer.parseInt(l.trim().split("\\s+")[2]))
                .findFirst()
                .orElse(-1);
    }

    private ServerSocketChannel unixServer(String name) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(sockets.resolve(name)));
        return s;
    }
}
