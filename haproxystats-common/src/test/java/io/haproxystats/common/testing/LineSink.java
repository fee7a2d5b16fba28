package io.haproxystats.common.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The tests' and benchmarks' one in-process TCP line reader: a Graphite plaintext listener on
 * 127.0.0.1 (a port the system picks) that accepts any number of connections, each read on its own
 * thread until the peer closes it. For a bench that must take little CPU from what it measures,
 * {@link #chunks} hands the bytes as they arrive; {@link #lines} hands whole lines.
 */
public final class LineSink implements AutoCloseable {

    /** Bytes as read from one connection: {@code buffer[0, length)}; called on that connection's thread. */
    public interface Chunks {
        void accept(byte[] buffer, int length);
    }

    private final ServerSocket server;

    private LineSink(Consumer<Socket> reader) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("line-sink-accept").start(() -> {
            try {
                while (true) {
                    Socket s = server.accept();
                    Thread.ofPlatform().daemon().name("line-sink-read").start(() -> reader.accept(s));
                }
            } catch (IOException e) {
                // closed
            }
        });
    }

    /** A sink handing each connection's bytes, in read-sized chunks, to {@code chunks}. */
    public static LineSink chunks(Chunks chunks) throws IOException {
        return new LineSink(s -> {
            byte[] buffer = new byte[1 << 20];
            try (s;
                    InputStream in = s.getInputStream()) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    chunks.accept(buffer, n);
                }
            } catch (IOException e) {
                // closed
            }
        });
    }

    /** A sink handing every line (UTF-8, without its newline) to {@code lines}. */
    public static LineSink lines(Consumer<String> lines) throws IOException {
        return new LineSink(s -> {
            try (s;
                    BufferedReader in = new BufferedReader(
                            new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8), 1 << 20)) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.accept(line);
                }
            } catch (IOException e) {
                // closed
            }
        });
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Stops accepting; connections already open are read until their peers close them. */
    @Override
    public void close() throws IOException {
        server.close();
    }
}
