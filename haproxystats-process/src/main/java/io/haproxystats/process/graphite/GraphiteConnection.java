package io.haproxystats.process.graphite;

import io.haproxystats.common.config.GraphiteSettings;
import io.haproxystats.common.time.Clock;
import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.delivery.QueueingDispatcher;
import io.haproxystats.process.delivery.Sender;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
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
 *       and never reads them. A batch counts as delivered only once the peer's TCP acknowledged
 *       what was written ({@link UnackedBytes}, Linux), but for what may stay in flight
 *       ({@link #acknowledged}): what waits in our send queue (up to 4 MiB autotuned; a stopped
 *       relay took 2.9 MB of which its kernel acknowledged 129 KB, here) is not. Bytes that stop
 *       leaving for write-timeout (at least {@link #ACK_PATIENCE_FLOOR}) lose the
 *       connection.</li>
 *   <li>What the peer's kernel acknowledged but the relay never read is the one window left. The
 *       last {@code replay-bytes} written are kept ({@link ReplayRing}, 8 MiB by default), and
 *       after a lost connection they are written again, first thing on the next one;
 *       {@link #connect()} succeeds only once the peer acknowledged it by the same rule. So a
 *       relay frozen for good takes away at most twice what one of its connections acknowledges
 *       (its receive buffer): each new connection into its listen backlog must first acknowledge
 *       the ring, which holds every batch counted since. The send buffer is left to the kernel's
 *       autotuning: a small one would cut the send rate two to three times.</li>
 * </ul>
 * Sender thread only, apart from {@link #close()}.
 */
public final class GraphiteConnection implements Sender {

    private static final Logger LOG = LoggerFactory.getLogger(GraphiteConnection.class);
    /** Most bytes one probe reads from a peer that writes back, before the batch is written anyway. */
    static final int PROBE_READ_LIMIT = 64 * 1024;
    /**
     * Least time without a byte acknowledged before a connection counts as stalled, whatever
     * write-timeout says: a relay that pauses its reads for a moment (a busy machine) fills its
     * receive buffer fast, and every reconnection writes the replay window again, so a short
     * patience would only add load to a slow relay. What a frozen relay takes away does not depend
     * on it (only acknowledged bytes count), only how soon a new relay may take over.
     */
    static final Duration ACK_PATIENCE_FLOOR = Duration.ofSeconds(5);
    /** Most bytes written and not yet acknowledged when a batch counts as delivered (see {@link #acknowledged}). */
    static final int IN_FLIGHT = 1 << 20;

    private final GraphiteSettings settings;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final ReplayRing replay;

    private volatile Socket socket; // volatile: close() closes it from another thread
    private OutputStream out;
    private InputStream in;
    /** The connection's bytes its peer has not acknowledged; null where they cannot be read (said once). */
    private UnackedBytes unacked;
    /** Bytes written on this connection. */
    private long written;
    /** The reason the unacknowledged bytes cannot be read, logged once for the process. */
    private static final AtomicBoolean UNACKED_WARNED = new AtomicBoolean();
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
        unacked = unackedBytes(s);
        written = 0;
        if (replayDue) {
            replay();
        }
    }

    private UnackedBytes unackedBytes(Socket s) {
        try {
            return UnackedBytes.of(s);
        } catch (IOException e) {
            if (UNACKED_WARNED.compareAndSet(false, true)) {
                LOG.warn(
                        "{}: cannot read the connection's unacknowledged bytes ({}); a batch counts as delivered "
                                + "once written, so a relay that stops reading for good can take what the socket "
                                + "buffers of both ends hold (docs/reliability.md)",
                        name(),
                        e.getMessage());
            }
            return null;
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
        long ackedBefore = acked();
        guarded(batch.byteCount(), batch::writeTo);
        written += batch.byteCount();
        acknowledged(ackedBefore);
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
            long ackedBefore = acked();
            long[] n = {0};
            guarded(replay.size(), o -> n[0] = replay.writeTo(o));
            written += n[0];
            acknowledged(ackedBefore);
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

    /** Bytes of this connection its peer acknowledged so far; 0 where they cannot be read. */
    private long acked() throws IOException {
        UnackedBytes u = unacked;
        if (u == null) {
            return 0;
        }
        try {
            return written - u.read();
        } catch (IOException e) {
            throw lost(e);
        }
    }

    /**
     * Returns once the peer's TCP acknowledged what was just written, less what may stay in flight
     * to keep a reading relay busy: at most {@link #IN_FLIGHT} bytes, and no more than the peer
     * acknowledged since this write began ({@code ackedBefore}). Only then does the batch count
     * as delivered. A peer that stopped reading acknowledges at most its receive buffer R, so on
     * one connection no batch counts once more than 2R bytes were written; waiting for every byte
     * instead cost a reading carbon-c-relay two to four times its rate here (it idles once its
     * socket is empty). While bytes wait they must keep leaving: none acknowledged for
     * {@code write-timeout} (at least {@link #ACK_PATIENCE_FLOOR}) loses the connection, and the
     * batch is sent again on the next one, after the replay window, which the next connection
     * must have acknowledged by the same rule. Where the bytes cannot be read (not Linux), a
     * written batch counts as delivered.
     */
    private void acknowledged(long ackedBefore) throws IOException {
        UnackedBytes u = unacked;
        if (u == null) {
            return;
        }
        Socket current = socket;
        long patience = Math.max(settings.writeTimeout().toNanos(), ACK_PATIENCE_FLOOR.toNanos());
        long lastProgress = clock.nanoTime();
        int before = Integer.MAX_VALUE;
        long pause = 1;
        while (true) {
            int waiting;
            try {
                waiting = u.read();
            } catch (IOException e) {
                throw lost(e);
            }
            if (current.isClosed()) { // closed meanwhile: the reading may be another descriptor's
                throw lost(new IOException("the connection was closed while its bytes were acknowledged"));
            }
            long progress = written - waiting - ackedBefore;
            if (waiting <= Math.min(IN_FLIGHT, progress)) {
                return;
            }
            if (waiting < before) {
                before = waiting;
                lastProgress = clock.nanoTime();
                pause = 1;
            } else if (clock.nanosSince(lastProgress) >= patience) {
                throw lost(new IOException("the peer acknowledged none of the last " + waiting + " bytes for "
                        + patience / 1_000_000 + " ms (write-timeout, at least " + ACK_PATIENCE_FLOOR.toSeconds()
                        + " s): it does not read"));
            }
            try {
                clock.sleep(Duration.ofMillis(pause));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw lost(new InterruptedIOException("stopped while waiting for the peer's acknowledgement"));
            }
            pause = Math.min(pause * 2, 20);
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
        unacked = null;
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
