package io.haproxystats.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.config.Connect;
import io.haproxystats.common.haproxy.ServersStateAnswer;
import io.haproxystats.common.haproxy.SocketAddress;
import io.haproxystats.common.spool.PollFiles.Command;
import io.haproxystats.common.time.Clock;
import io.haproxystats.common.time.SteppingWallClock;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Security: whatever the configuration, the puller only ever sends read-only commands to an
 * (admin-level) socket: show info, show stat, show proc and, through a master, the same two
 * prefixed with {@code @!<pid>}, and show servers state (both ways) when {@code [pull] commands}
 * names it or for --show-servers. A recording peer that
 * plays a master and a worker captures every command line of a poll with both kinds of socket.
 */
class ReadOnlyCommandsIT {

    @TempDir
    Path tmp;

    @Test
    void aPollSendsOnlyReadOnlyCommands() throws Exception {
        Set<String> received = new ConcurrentSkipListSet<>();
        Path worker = tmp.resolve("run/w.sock");
        Path master = tmp.resolve("m.master");
        Files.createDirectories(worker.getParent());
        try (ServerSocketChannel w = serve(worker, received);
                ServerSocketChannel m = serve(master, received)) {
            ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
            try {
                Spool spool = new Spool(tmp.resolve("incoming"), tmp.resolve("incoming.tmp"));
                spool.prepare();
                StatsClient client = new StatsClient(
                        new Connect(0, Duration.ofSeconds(1), Duration.ZERO, 1), 1 << 20, timer, Clock.system());
                Poller poller = new Poller(
                        new SocketDiscovery(Optional.of(worker.getParent()), List.of()),
                        List.of(new SocketAddress.Unix(master)),
                        List.of(Command.values()),
                        client,
                        spool,
                        Duration.ofSeconds(5),
                        10,
                        new SteppingWallClock(Instant.ofEpochSecond(1_700_000_000L), Duration.ZERO),
                        true);
                PollResult r = poller.pollOnce().orElseThrow();
                assertTrue(r.committed(), r.failures().toString());
                client.query(
                        new SocketAddress.Unix(worker),
                        "show servers state",
                        ServersStateAnswer.ANSWER_PREFIX,
                        Long.MAX_VALUE);
            } finally {
                timer.shutdownNow();
            }
        }
        assertEquals(
                new TreeSet<>(Set.of(
                        "show info",
                        "show stat",
                        "show proc",
                        "@!4242 show info",
                        "@!4242 show stat",
                        "show servers state",
                        "@!4242 show servers state")),
                new TreeSet<>(received),
                "every command line received, with every optional command of [pull] commands on");
    }

    /** A peer answering like HAProxy (a worker, or a master with one worker 4242), recording each line. */
    private static ServerSocketChannel serve(Path path, Set<String> received) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    SocketChannel c = server.accept();
                    Thread.ofVirtual().start(() -> answer(c, received));
                }
            } catch (IOException e) {
                // closed
            }
        });
        return server;
    }

    private static void answer(SocketChannel c, Set<String> received) {
        try (c) {
            String all = new String(Channels.newInputStream(c).readAllBytes(), StandardCharsets.US_ASCII);
            for (String line : all.split("\n")) {
                if (!line.isEmpty()) {
                    received.add(line);
                }
            }
            String command = all.strip().replaceFirst("^@!\\d+ ", "");
            String reply =
                    switch (command) {
                        case "show info" -> "Name: HAProxy\nProcess_num: 1\n\n";
                        case "show stat" -> "# pxname,svname,scur,\nfe,FRONTEND,0,\n\n";
                        case "show proc" ->
                            "#<PID> <type> <reloads>\n1 master 0\n# workers\n4242 worker 0\n# programs\n\n";
                        case "show servers state" ->
                            "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state\n\n";
                        default -> "Unknown command\n\n";
                    };
            c.write(ByteBuffer.wrap(reply.getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            // the client went away
        }
    }
}
