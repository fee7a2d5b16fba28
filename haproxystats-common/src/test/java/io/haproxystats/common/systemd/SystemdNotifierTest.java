package io.haproxystats.common.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watchdog interval rules of sd_watchdog_enabled(3), and the datagrams sent (the daemons' own are tested in OperationsIT). */
class SystemdNotifierTest {

    @Test
    void watchdogEveryHalfOfWatchdogUsecWhenMeantForUs() {
        assertEquals(
                Optional.of(Duration.ofSeconds(30)),
                SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "60000000"), 42));
        assertEquals(
                Optional.of(Duration.ofMillis(500)),
                SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "1000000", "WATCHDOG_PID", "42"), 42));
    }

    @Test
    void noWatchdogForAnotherPidOrWithoutOrWithBadUsec() {
        assertEquals(
                Optional.empty(),
                SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "1000000", "WATCHDOG_PID", "7"), 42));
        assertEquals(Optional.empty(), SystemdNotifier.watchdogInterval(Map.of(), 42));
        assertEquals(Optional.empty(), SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "soon"), 42));
        assertEquals(Optional.empty(), SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "0"), 42));
    }

    /** A bound datagram socket like systemd's; {@link #next()} returns what is waiting, or null. */
    private static final class Listener implements AutoCloseable {
        final UnixDatagramChannel channel;

        Listener(Path path) throws IOException {
            channel = UnixDatagramChannel.open();
            channel.bind(new UnixSocketAddress(path.toString()));
            channel.configureBlocking(false);
        }

        String next() throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(4096);
            try {
                if (channel.receive(buf) == null) {
                    return null;
                }
            } catch (IOException e) {
                if (String.valueOf(e.getMessage()).contains("temporarily unavailable")) {
                    return null; // jnr's non-blocking receive with nothing waiting: EAGAIN
                }
                throw e;
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    @Test
    void withNotifySocketEachCallSendsOneDatagramAndWithoutItNothingIsSent(@TempDir Path tmp) throws Exception {
        Path path = tmp.resolve("notify");
        try (Listener systemd = new Listener(path)) {
            try (SystemdNotifier n = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", path.toString()))) {
                assertTrue(n.enabled());
                n.ready("watching\nincoming");
                n.watchdog();
                n.stopping();
            }
            // Local datagrams are in the receive buffer when send returns: no wait needed.
            assertEquals("READY=1\nSTATUS=watching incoming", systemd.next());
            assertEquals("WATCHDOG=1", systemd.next());
            assertEquals("STOPPING=1\nSTATUS=stopping", systemd.next());
            assertNull(systemd.next());

            try (SystemdNotifier n = SystemdNotifier.fromEnvironment(Map.of("WATCHDOG_USEC", "1000000"))) {
                assertFalse(n.enabled());
                n.ready("x");
                n.watchdog();
                n.stopping();
            }
            assertNull(systemd.next(), "without NOTIFY_SOCKET nothing is sent");
        }
    }
}
