package io.haproxystats.process.graphite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.testing.Wait;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The unacknowledged bytes of real loopback connections, read through the descriptor found by the
 * connection's addresses: bytes a peer that never reads cannot take stay counted; a reading peer
 * takes them all.
 */
@EnabledOnOs(OS.LINUX)
class UnackedBytesTest {

    @Test
    void countsWhatAPeerThatNeverReadsCannotTakeAndNothingOnceAPeerReadsItAll() throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.setReceiveBufferSize(4096);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            byte[] bytes = new byte[1 << 20];
            try (Socket client = new Socket()) {
                client.setSendBufferSize(1 << 20);
                client.connect(server.getLocalSocketAddress());
                try (Socket frozen = server.accept()) { // accepted and never read
                    UnackedBytes unacked = UnackedBytes.of(client);
                    assertEquals(0, unacked.read(), "nothing written yet");
                    client.getOutputStream().write(bytes, 0, 200_000); // fits in the client's send buffer
                    // The peer's kernel takes at most its receive buffer (8 KiB as the kernel sizes
                    // 4096; twice that allowed here), whenever this is read; the rest stays in ours,
                    // unacknowledged. (The accepted end is a descriptor of this process too, with
                    // nothing to send: a reading of the wrong one would be 0.)
                    int waiting = unacked.read();
                    assertTrue(waiting >= 200_000 - 16_384 && waiting <= 200_000, "waiting: " + waiting);

                    InputStream in = frozen.getInputStream(); // the peer reads again, everything
                    Thread reader = Thread.ofVirtual().start(() -> {
                        try {
                            in.readNBytes(200_000);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                    Wait.until(Duration.ofSeconds(10), () -> read(unacked) == 0, "every byte acknowledged");
                    reader.join();
                    OutputStream out = client.getOutputStream();
                    out.write(1);
                    Wait.until(Duration.ofSeconds(10), () -> read(unacked) == 0, "one more byte acknowledged");
                }
            }
        }
    }

    private static int read(UnackedBytes u) {
        try {
            return u.read();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
