package io.haproxystats.pull.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.config.LogsSettings;
import io.haproxystats.common.logs.LogTimers;
import io.haproxystats.common.logs.LogTimersFile;
import io.haproxystats.common.logs.Timer;
import io.haproxystats.common.logs.TimerStats;
import io.haproxystats.common.spool.PollFiles;
import io.haproxystats.common.testing.Wait;
import io.haproxystats.common.time.Clock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The receiver on real sockets (UDP on 127.0.0.1, a UNIX datagram socket in a temporary
 * directory): what arrives is counted and sketched, garbage never stops it, a flood beyond the
 * receive buffer is counted as received or dropped, a removed socket file comes back.
 */
class LogReceiverTest {

    @TempDir
    Path tmp;

    private static final String REQUEST = "<134>Dec  2 15:33:12 haproxy[1]: 127.0.0.1:5 [02/Dec/2026:15:33:12.945] "
            + "fe_main be.app/web-%d 0/0/1/%d/%d 200 620 - - ---- 1/1/0/0/0 0/0 \"GET / HTTP/1.1\"";

    private LogsSettings settings(OptionalInt rcvbuf, int maxSeries) {
        return new LogsSettings(
                List.of(
                        new LogsSettings.Listen.Udp("127.0.0.1", 0),
                        new LogsSettings.Listen.Unix(tmp.resolve("log.sock"))),
                List.of(new LogsSettings.Percentile(99, "p99")),
                rcvbuf,
                maxSeries);
    }

    /** Cuts until {@code lines} datagrams were counted (received or, for UDP, dropped), merging the cuts. */
    private static LogTimers collect(LogReceiver receiver, long lines) throws InterruptedException {
        LogTimers all = new LogTimers();
        Wait.until(
                Duration.ofSeconds(30),
                () -> {
                    all.merge(receiver.cut());
                    return all.counters().lines() + all.counters().dropped() >= lines;
                },
                lines + " datagrams");
        return all;
    }

    private static void udp(DatagramChannel out, int port, byte[] datagram) throws IOException {
        out.send(ByteBuffer.wrap(datagram), new InetSocketAddress("127.0.0.1", port));
    }

    private static void unix(UnixDatagramChannel out, Path path, byte[] datagram) throws IOException {
        out.send(ByteBuffer.wrap(datagram), new UnixSocketAddress(path.toFile()));
    }

    @Test
    void requestsGarbageAndHostileDatagramsAreCountedAndTheReceiverReadsOn() throws Exception {
        try (LogReceiver receiver = LogReceiver.start(settings(OptionalInt.empty(), 1_000), Clock.system());
                DatagramChannel udp = DatagramChannel.open();
                UnixDatagramChannel unix = UnixDatagramChannel.open()) {
            int port = receiver.udpPorts().get(0);
            Path sock = tmp.resolve("log.sock");
            byte[][] bad = {
                new byte[0],
                "garbage".getBytes(StandardCharsets.US_ASCII),
                {(byte) 0xff, (byte) 0xfe, (byte) 0x80, 0, '\n'},
                REQUEST.formatted(1, 5, 5).replace("fe_main", "fe\u00e9").getBytes(StandardCharsets.UTF_8),
                REQUEST.formatted(1, 5, 5).replace("be.app", "be/../../etc").getBytes(StandardCharsets.UTF_8),
                REQUEST.formatted(1, 5, 5).substring(0, 90).getBytes(StandardCharsets.UTF_8),
            };
            for (byte[] b : bad) {
                udp(udp, port, b);
                unix(unix, sock, b);
            }
            unix(unix, sock, new byte[200_000]); // larger than any log line: unparsed, not a crash
            udp(
                    udp,
                    port,
                    "<133>Dec  2 15:33:35 haproxy[1]: Proxy fe_main started.".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 100; i++) {
                byte[] b = REQUEST.formatted(i % 2, 10 + i, 11 + i).getBytes(StandardCharsets.US_ASCII);
                udp(udp, port, b);
                unix(unix, sock, b);
            }
            LogTimers got = collect(receiver, 2 * 6 + 1 + 1 + 200);
            assertEquals(new LogTimers.Counters(214, 200, 13, 1, 0), got.counters());
            TimerStats tr = got.series().get(LogTimers.Series.backend("be.app")).get(Timer.Tr);
            assertEquals(200, tr.count());
            assertEquals(109, tr.max());
            assertEquals(2 * (10 + 109) * 100 / 2, tr.sum());
            assertEquals(
                    100,
                    got.series()
                            .get(LogTimers.Series.server("be.app", "web-1"))
                            .get(Timer.Ta)
                            .count());
            assertEquals(4, got.series().size(), "fe_main, be.app, be.app/web-0, be.app/web-1; no hostile name");
            assertEquals(
                    List.of("fe_main", "be.app", "be.app", "be.app"),
                    got.series().keySet().stream()
                            .map(LogTimers.Series::proxy)
                            .toList()
                            .subList(0, 4));
        }
    }

    @Test
    void aFloodBeyondTheReceiveBufferIsCountedAsReceivedOrDroppedNeverNegative() throws Exception {
        int sent = 20_000;
        try (LogReceiver receiver = LogReceiver.start(settings(OptionalInt.of(1024), 1_000), Clock.system());
                DatagramChannel udp = DatagramChannel.open();
                UnixDatagramChannel unix = UnixDatagramChannel.open()) {
            int port = receiver.udpPorts().get(0);
            byte[] b = REQUEST.formatted(0, 100, 101).getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < sent; i++) {
                udp(udp, port, b);
            }
            LogTimers got = collect(receiver, sent);
            LogTimers.Counters c = got.counters();
            System.out.println("UDP flood of " + sent + " datagrams into a 1 KiB receive buffer: " + c);
            assertTrue(c.dropped() >= 0 && c.lines() >= 0, c.toString());
            assertEquals(sent, c.lines() + c.dropped(), "every UDP datagram was read or counted dropped: " + c);
            assertEquals(c.lines(), c.parsed());
            // UNIX datagrams are never dropped by the kernel: a blocking sender waits for room.
            for (int i = 0; i < sent; i++) {
                unix(unix, tmp.resolve("log.sock"), b);
            }
            LogTimers after = collect(receiver, sent);
            assertEquals(new LogTimers.Counters(sent, sent, 0, 0, 0), after.counters());
            // Still alive: one more line is read.
            udp(udp, port, b);
            assertEquals(1, collect(receiver, 1).counters().parsed());
        }
    }

    @Test
    void aSocketFileRemovedUnderItIsRecreated() throws Exception {
        Path sock = tmp.resolve("log.sock");
        try (LogReceiver receiver = LogReceiver.start(settings(OptionalInt.empty(), 1_000), Clock.system());
                UnixDatagramChannel unix = UnixDatagramChannel.open()) {
            Object before = Files.getAttribute(sock, "unix:ino");
            Files.delete(sock);
            Wait.until(Duration.ofSeconds(10), () -> Files.exists(sock), "the socket file re-created");
            assertTrue(!before.equals(Files.getAttribute(sock, "unix:ino")), "a new socket");
            unix(unix, sock, REQUEST.formatted(0, 1, 1).getBytes(StandardCharsets.US_ASCII));
            assertEquals(1, collect(receiver, 1).counters().parsed());
        }
        assertTrue(!Files.exists(sock), "removed at stop");
    }

    @Test
    void aSocketThatCannotBeBoundStopsTheStartNamingItAndLeavesOtherFilesAlone() throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-socket"), "keep me");
        for (LogsSettings.Listen listen : List.of(
                new LogsSettings.Listen.Unix(tmp.resolve("missing/log.sock")),
                new LogsSettings.Listen.Unix(file),
                new LogsSettings.Listen.Udp("192.0.2.1", 5514))) {
            LogsSettings s = new LogsSettings(
                    List.of(new LogsSettings.Listen.Udp("127.0.0.1", 0), listen),
                    List.of(new LogsSettings.Percentile(50, "p50")),
                    OptionalInt.empty(),
                    10);
            IOException e = org.junit.jupiter.api.Assertions.assertThrows(
                    IOException.class, () -> LogReceiver.start(s, Clock.system()));
            assertTrue(e.getMessage().startsWith("[logs] listen: cannot listen on " + listen + ": "), e.getMessage());
        }
        assertEquals("keep me", Files.readString(file));
    }

    @Test
    void moreNamesThanMaxSeriesAreCountedUnparsed() throws Exception {
        try (LogReceiver receiver = LogReceiver.start(settings(OptionalInt.empty(), 4), Clock.system());
                DatagramChannel udp = DatagramChannel.open()) {
            int port = receiver.udpPorts().get(0);
            for (int i = 0; i < 10; i++) {
                udp(udp, port, REQUEST.formatted(i, 1, 1).getBytes(StandardCharsets.US_ASCII));
            }
            Wait.until(Duration.ofSeconds(30), () -> receiverHas(receiver, 10), "10 datagrams");
            LogTimers got = receiver.cut(); // one interval: max-series bounds each
            // fe_main + be.app + web-0 + web-1 = 4 names; the other eight servers' lines are refused.
            assertEquals(new LogTimers.Counters(10, 2, 8, 0, 0), got.counters());
            assertEquals(4, got.series().size());
        }
    }

    /**
     * The heap bounds the names as max-series does (a 10,000-server site's intervals do not fit
     * the launcher's 64 MB heap): the bound is the smaller of the two, per socket.
     */
    @Test
    void theHeapBoundsTheNamesWhereItHoldsFewerThanMaxSeries() throws Exception {
        // A quarter of the heap at 10 KiB a name: 64 MiB holds 1,638 (the launcher's -Xmx64m reports
        // about 61 MiB to the JVM, so 1,561 there, as docs/pull.md says).
        assertEquals(1638, LogReceiver.seriesBound(100_000, 64L << 20, 1), "a 64 MiB heap, one socket");
        assertEquals(819, LogReceiver.seriesBound(100_000, 64L << 20, 2));
        assertEquals(500, LogReceiver.seriesBound(500, 64L << 20, 1), "max-series is the smaller");
        assertEquals(1, LogReceiver.seriesBound(100_000, 1024, 1), "one name at least");
        long heapForFour = 4 * 2 * 4 * LogReceiver.SERIES_BYTES; // 4 names a socket, 2 sockets
        try (LogReceiver receiver =
                        LogReceiver.start(settings(OptionalInt.empty(), 100_000), Clock.system(), heapForFour);
                DatagramChannel udp = DatagramChannel.open()) {
            int port = receiver.udpPorts().get(0);
            for (int i = 0; i < 10; i++) {
                udp(udp, port, REQUEST.formatted(i, 1, 1).getBytes(StandardCharsets.US_ASCII));
            }
            Wait.until(Duration.ofSeconds(30), () -> receiverHas(receiver, 10), "10 datagrams");
            LogTimers got = receiver.cut();
            assertEquals(new LogTimers.Counters(10, 2, 8, 0, 0), got.counters());
            assertEquals(4, got.series().size());
        }
    }

    @Test
    void aPollThatDidNotLandLeavesItsIntervalToTheNextFile() throws Exception {
        try (LogReceiver receiver = LogReceiver.start(settings(OptionalInt.empty(), 1_000), Clock.system());
                DatagramChannel udp = DatagramChannel.open()) {
            int port = receiver.udpPorts().get(0);
            udp(udp, port, REQUEST.formatted(0, 1, 1).getBytes(StandardCharsets.US_ASCII));
            Wait.until(Duration.ofSeconds(10), () -> receiverHas(receiver, 1), "the first line");
            Path first = Files.createDirectory(tmp.resolve("1"));
            assertEquals(PollFiles.LOG_TIMERS, receiver.writeInto(first));
            assertEquals(1, read(first).counters().parsed());
            receiver.landed(false);
            udp(udp, port, REQUEST.formatted(0, 1, 1).getBytes(StandardCharsets.US_ASCII));
            Wait.until(Duration.ofSeconds(10), () -> receiverHas(receiver, 1), "the second line");
            Path second = Files.createDirectory(tmp.resolve("2"));
            receiver.writeInto(second);
            assertEquals(2, read(second).counters().parsed(), "both intervals");
            receiver.landed(true);
            Path third = Files.createDirectory(tmp.resolve("3"));
            receiver.writeInto(third);
            assertEquals(0, read(third).counters().lines(), "landed: not again");
            assertEquals(0, read(third).series().size());
        }
    }

    /**
     * Polls that keep failing (a socket down for hours) carry their intervals forward: those keep
     * at most the names one cut holds, so new names arriving meanwhile cannot grow them without
     * bound; the lines stay counted.
     */
    @Test
    void intervalsCarriedPastFailedPollsKeepAtMostOneCutsNames() throws Exception {
        // max-series 4 a socket, two sockets: a cut hands over at most 8 names, the carried ones keep 8.
        try (LogReceiver receiver = LogReceiver.start(settings(OptionalInt.empty(), 4), Clock.system());
                DatagramChannel udp = DatagramChannel.open();
                UnixDatagramChannel unix = UnixDatagramChannel.open()) {
            int port = receiver.udpPorts().get(0);
            Path sock = tmp.resolve("log.sock");
            send(udp, port, unix, sock, new int[] {0, 1}, new int[] {2, 3}); // fe_main, be.app, web-0..3
            Wait.until(Duration.ofSeconds(10), () -> receiverHas(receiver, 4), "the first lines");
            receiver.writeInto(Files.createDirectory(tmp.resolve("1")));
            receiver.landed(false);
            send(udp, port, unix, sock, new int[] {0, 4}, new int[] {5, 6}); // web-4, web-5 fit; web-6 does not
            Wait.until(Duration.ofSeconds(10), () -> receiverHas(receiver, 4), "the second lines");
            Path second = Files.createDirectory(tmp.resolve("2"));
            receiver.writeInto(second);
            LogTimers got = read(second);
            assertEquals(new LogTimers.Counters(8, 8, 0, 0, 0), got.counters(), "every line counted");
            assertEquals(8, got.series().size(), got.series().keySet().toString());
            assertTrue(
                    got.series().keySet().stream().noneMatch(s -> "web-6".equals(s.server())),
                    got.series().keySet().toString());
            assertEquals(
                    2,
                    got.series()
                            .get(LogTimers.Series.server("be.app", "web-0"))
                            .get(Timer.TR)
                            .count(),
                    "a name carried and seen again: both intervals");
        }
    }

    private static void send(
            DatagramChannel udp, int port, UnixDatagramChannel unix, Path sock, int[] overUdp, int[] overUnix)
            throws IOException {
        for (int server : overUdp) {
            udp(udp, port, REQUEST.formatted(server, 1, 1).getBytes(StandardCharsets.US_ASCII));
        }
        for (int server : overUnix) {
            unix(unix, sock, REQUEST.formatted(server, 1, 1).getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static boolean receiverHas(LogReceiver receiver, long lines) {
        return receiver.linesSinceCut() >= lines;
    }

    private static LogTimers read(Path dir) throws Exception {
        return LogTimersFile.parse(Files.readString(dir.resolve(PollFiles.LOG_TIMERS)));
    }
}
