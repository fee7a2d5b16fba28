package io.haproxystats.process.graphite;

import io.haproxystats.common.config.GraphiteSettings;
import io.haproxystats.common.time.Clock;
import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.delivery.QueueingDispatcher;
import io.haproxystats.process.delivery.Sender;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Graphite plaintext over one TCP connection to {@code [graphite] server:port}: the transport behind
 * the Graphite {@link QueueingDispatcher}.
 *
 * <ul>
 *   <li>A batch is written whole and flushed. A write blocked longer than {@code write-timeout}
 *       (plus one second per MB) closes the connection: a peer that stops reading cannot hang the
 *       sender.</li>
 *   <li>Before each batch the connection is probed for a peer that closed it, so a batch is not
 *       written into a dead socket's buffer. Graphite never writes back: what a peer sends is read
 *       and ignored, at most {@link #PROBE_READ_LIMIT} bytes a probe, and reported while it goes on
 *       ({@link #peerWarning()}).</li>
 *   <li>A flushed write is not a delivery: a relay that hangs takes lines into the socket buffers
 *       and never reads them. The last {@code replay-bytes} written are kept ({@link ReplayRing},
 *       8 MiB by default: a stopped relay took 3.1 MB here before a write blocked), and after a
 *       lost connection they are written again, first thing on the next one; {@link #connect()}
 *       succeeds only once the peer took all of it. The send buffer is left to the kernel's
 *       autotuning: a small one would shrink the window but cut the send rate two to three
 *       times.</li>
 * </ul>
 * Sender thread only, apart from {@link #close()}.
 */
public final class GraphiteConnection implements Sender {

    private static final Logger LOG = LoggerFactory.getLogger(GraphiteConnection.class);
    /** Most bytes one probe reads from a peer that writes back, before the batch is written anyway. */
    static final int PROBE_READ_LIMIT = 64 * 1024;

    private final GraphiteSettings settings;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final ReplayRing replay;

    private volatile Socket socket; // volatile: close() closes it from another thread
    private OutputStream out;
    private InputStream in;
    /** The last connection was lost: the replay ring goes first on the next, and must be taken whole. */
    private boolean replayDue;

    private long peerBytes;
    private volatile boolean peerTalks;

    public GraphiteConnection(GraphiteSettings settings, ScheduledExecutorService timer, Clock clock) {
        this.settings = settings;
        this.timer = timer;
        this.clock = clock;
        this.replay = new ReplayRing(settings.replayBytes());
    }

    @Override
    public String kind() {
        return "Graphite";
    }

    @Override
    public String name() {
        return "graphite " + settings.server() + ":" + settings.port();
    }

    @Override
    public void connect() throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(settings.server(), settings.port()), (int)
                    Math.max(1, settings.connect().timeout().toMillis()));
        } catch (IOException e) {
            closeQuietly(s);
            throw e;
        }
        socket = s;
        out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
        in = s.getInputStream();
        if (replayDue) {
            replay();
        }
    }

    @Override
    public boolean isConnected() {
        return socket != null;
    }

    @Override
    public void send(MetricBatch batch) throws IOException {
        if (peerClosed()) {
            throw lost(new IOException("the peer closed the connection"));
        }
        guarded(batch.byteCount(), batch::writeTo);
        replay.append(batch);
    }

    @Override
    public String peerWarning() {
        return peerTalks ? "peer-sends-data" : "";
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    /**
     * Writes the replay ring again on a fresh connection; returns once the peer took all of it
     * (more than the socket buffers hold when the ring is full: the peer reads again).
     */
    private void replay() throws IOException {
        if (!replay.isEmpty()) {
            long t0 = clock.nanoTime();
            guarded(replay.size(), replay::writeTo);
            LOG.info(
                    "{}: wrote the last {} bytes again (lines a lost connection may not have delivered) in {} ms",
                    name(),
                    replay.size(),
                    clock.nanosSince(t0) / 1_000_000);
        }
        replayDue = false;
    }

    /** Something written and flushed under the write watchdog. */
    private interface Write {
        void to(OutputStream out) throws IOException;
    }

    /** Writes and flushes under the watchdog (write-timeout plus 1 s per MB); on failure the connection is lost. */
    private void guarded(long bytes, Write write) throws IOException {
        Socket current = socket;
        AtomicBoolean timedOut = new AtomicBoolean();
        long boundMillis = settings.writeTimeout().toMillis() + bytes / 1_000L;
        ScheduledFuture<?> watchdog = timer.schedule(
                () -> {
                    timedOut.set(true);
                    closeQuietly(current);
                },
                boundMillis,
                TimeUnit.MILLISECONDS);
        try {
            write.to(out);
            out.flush();
        } catch (IOException e) {
            throw lost(
                    timedOut.get()
                            ? new IOException(
                                    "write-timeout: a write blocked longer than write-timeout " + "plus 1 s per MB, "
                                            + boundMillis + " ms",
                                    e)
                            : e);
        } finally {
            watchdog.cancel(false);
        }
    }

    /**
     * True when the peer has closed its side (a read sees the end of the stream or an error). A
     * closed peer would otherwise take one more batch into the socket buffer before the write
     * fails, and that batch would be lost. At most {@link #PROBE_READ_LIMIT} bytes are read a
     * probe: a peer that never stops writing made an unbounded loop spin at full CPU and starve
     * the sends.
     */
    private boolean peerClosed() {
        byte[] buffer = new byte[8192];
        int read = 0;
        try {
            socket.setSoTimeout(1);
            while (read < PROBE_READ_LIMIT) {
                int n = in.read(buffer);
                if (n < 0) {
                    return true;
                }
                read += n;
            }
        } catch (SocketTimeoutException e) {
            // Nothing more to read now: the peer is there.
        } catch (IOException e) {
            return true;
        }
        if (read > 0) {
            peerBytes += read;
            if (!peerTalks && read >= PROBE_READ_LIMIT) {
                LOG.warn(
                        "{}: the peer keeps sending data ({} bytes on this connection); a Graphite plaintext "
                                + "listener never does: is this the right host and port? Ignoring it",
                        name(),
                        peerBytes);
            }
        }
        peerTalks = read >= PROBE_READ_LIMIT;
        return false;
    }

    /** Closes the lost connection and returns the failure to throw; the replay window is due on the next. */
    private IOException lost(IOException cause) {
        closeQuietly(socket);
        socket = null;
        out = null;
        in = null;
        replayDue = true;
        peerBytes = 0;
        peerTalks = false;
        return cause;
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
}
