package io.haproxystats.process;

import io.haproxystats.common.config.GraphiteSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Graphite plaintext over one long-lived TCP connection to {@code [graphite] server:port}. A batch
 * is written whole and flushed; a write that blocks longer than {@code write-timeout} (a peer that
 * stopped reading) closes the connection. On a broken connection it reconnects with
 * {@code retries} tries, waiting {@code interval} x {@code backoff}^k between them; when a round of
 * tries fails, {@link #send} throws and the caller keeps the poll on disk. State changes
 * (connected, lost) are logged once, not per line. Thread-safe: batches are written one at a time.
 */
final class GraphiteDispatcher implements Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(GraphiteDispatcher.class);

    private final GraphiteSettings settings;
    private final ScheduledExecutorService timer;
    private Socket socket;
    private OutputStream out;
    private boolean lost;

    GraphiteDispatcher(GraphiteSettings settings, ScheduledExecutorService timer) {
        this.settings = settings;
        this.timer = timer;
    }

    @Override
    public String name() {
        return "graphite " + settings.server() + ":" + settings.port();
    }

    @Override
    public synchronized void send(MetricBatch batch) throws IOException {
        byte[] bytes = batch.bytes();
        if (socket == null) {
            connect();
        }
        Socket current = socket;
        // write-timeout bounds a stalled peer; a large batch also gets one second per MB to drain.
        long boundMillis = settings.writeTimeout().toMillis() + bytes.length / 1_000L;
        ScheduledFuture<?> watchdog = timer.schedule(() -> closeQuietly(current), boundMillis, TimeUnit.MILLISECONDS);
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            disconnect("write failed: " + e);
            throw new IOException(name() + ": write failed: " + e.getMessage(), e);
        } finally {
            watchdog.cancel(false);
        }
    }

    private void connect() throws IOException {
        int tries = settings.connect().tries();
        IOException last = null;
        for (int failures = 0; failures < tries; ) {
            Socket s = new Socket();
            try {
                s.setTcpNoDelay(false);
                s.connect(new InetSocketAddress(settings.server(), settings.port()),
                        (int) Math.max(1, settings.connect().timeout().toMillis()));
                socket = s;
                out = new java.io.BufferedOutputStream(s.getOutputStream(), 1 << 16);
                LOG.info("connected to {}", name());
                lost = false;
                return;
            } catch (IOException e) {
                closeQuietly(s);
                last = e;
                failures++;
                if (failures < tries) {
                    Duration wait = settings.connect().waitAfterFailure(failures);
                    try {
                        Thread.sleep(wait);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while reconnecting", ie);
                    }
                }
            }
        }
        if (!lost) {
            LOG.error("cannot connect to {} after {} tries: {}; polls stay queued on disk", name(), tries, last);
            lost = true;
        }
        throw new IOException(name() + ": cannot connect: " + last);
    }

    private void disconnect(String reason) {
        if (!lost) {
            LOG.error("connection to {} lost ({}); reconnecting", name(), reason);
        }
        closeQuietly(socket);
        socket = null;
        out = null;
    }

    private static void closeQuietly(Socket s) {
        if (s == null) {
            return;
        }
        try {
            s.close();
        } catch (IOException ignored) {
            // Nothing more to release.
        }
    }

    @Override
    public synchronized void close() {
        closeQuietly(socket);
        socket = null;
    }
}
