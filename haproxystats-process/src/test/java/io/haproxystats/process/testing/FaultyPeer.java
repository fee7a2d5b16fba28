package io.haproxystats.process.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small TCP peer on 127.0.0.1 for fault shapes a real relay cannot produce: one that accepts and
 * never reads, and one that resets the connection after some bytes. Connections are numbered from
 * 0; {@code shape} decides per connection. Lines read are kept per connection.
 */
public final class FaultyPeer implements AutoCloseable {

    public enum Shape {
        READ,
        NEVER_READ,
        RESET_AFTER_100KB,
        READ_AND_TALK_BACK
    }

    public interface ShapeByConnection {
        Shape of(int connection);
    }

    private final ServerSocket server;
    private final ShapeByConnection shape;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<List<String>> received = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    public FaultyPeer(int port, int receiveBuffer, ShapeByConnection shape) throws IOException {
        this.shape = shape;
        server = new ServerSocket();
        server.setReuseAddress(true);
        if (receiveBuffer > 0) {
            server.setReceiveBufferSize(receiveBuffer); // inherited by accepted sockets: a peer that fills fast
        }
        // The peer this one replaces on the same port may take a moment to release it (its close
        // completes when its accepting thread wakes up): retry for a few seconds.
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            try {
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                break;
            } catch (BindException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
        Thread.ofVirtual().start(this::acceptLoop);
    }

    private void acceptLoop() {
        try {
            while (true) {
                Socket s = server.accept();
                sockets.add(s);
                int n = accepted.getAndIncrement();
                List<String> lines = Collections.synchronizedList(new ArrayList<>());
                received.add(lines);
                Shape sh = shape.of(n);
                if (sh != Shape.NEVER_READ) {
                    Thread.ofVirtual().start(() -> serve(s, sh, lines));
                }
            }
        } catch (IOException e) {
            // closed
        }
    }

    private static void serve(Socket s, Shape shape, List<String> lines) {
        try (s) {
            InputStream in = s.getInputStream();
            if (shape == Shape.RESET_AFTER_100KB) {
                byte[] skip = in.readNBytes(100_000);
                for (String l : new String(skip, StandardCharsets.UTF_8).split("\n", -1)) {
                    lines.add(l); // the last piece may be a cut line: that is what a reset does
                }
                s.setSoLinger(true, 0); // close with RST
                return;
            }
            if (shape == Shape.READ_AND_TALK_BACK) {
                Thread.ofVirtual().start(() -> talk(s));
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException e) {
            // the dispatcher closed the connection
        }
    }

    /** Writes 4 KB every millisecond until the connection ends: a peer that never stops talking. */
    private static void talk(Socket s) {
        byte[] chatter = new byte[4096];
        Arrays.fill(chatter, (byte) 'x');
        try {
            while (true) {
                s.getOutputStream().write(chatter);
                Thread.sleep(1);
            }
        } catch (IOException | InterruptedException e) {
            // the connection ended
        }
    }

    public int accepted() {
        return accepted.get();
    }

    /**
     * The largest receive buffer of the connections accepted so far, in the kernel's bytes: what
     * the peer's TCP can acknowledge on one connection without anyone reading. Linux doubles what
     * was asked for, and the JDK halves what Linux reports (so that the figure read is the figure
     * set): the kernel's is twice the JDK's there.
     */
    public int receiveBuffer() throws IOException {
        int largest = 0;
        for (Socket s : sockets) {
            largest = Math.max(largest, s.getReceiveBufferSize());
        }
        return System.getProperty("os.name", "").equals("Linux") ? 2 * largest : largest;
    }

    /** A snapshot of the lines read on each connection, in connection order. */
    public List<List<String>> received() {
        List<List<String>> out = new ArrayList<>();
        for (List<String> lines : received) {
            synchronized (lines) {
                out.add(new ArrayList<>(lines));
            }
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
