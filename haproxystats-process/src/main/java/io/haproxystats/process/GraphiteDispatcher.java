package io.haproxystats.process;

import io.haproxystats.common.config.GraphiteSettings;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Graphite plaintext over one long-lived TCP connection to {@code [graphite] server:port}, fed by a
 * FIFO queue of poll batches bounded by {@code queue-size} lines and drained by one sender thread.
 *
 * <ul>
 *   <li>A batch is written whole and flushed; its future completes only then. A write blocked
 *       longer than {@code write-timeout} (plus one second per MB of the batch) closes the
 *       connection: a peer that stops reading cannot hang the sender. Before each batch the
 *       connection is probed for a peer that closed it, so a batch is not written into a dead
 *       socket's buffer.</li>
 *   <li>On a failed connection: close, then {@code retries} more tries {@code interval} x
 *       {@code backoff}^k apart; when a round fails, wait {@code delay} and start another. The
 *       batch that failed is sent again, whole, first: order is kept, and a repeat only rewrites
 *       points with the same timestamps.</li>
 *   <li>Backpressure: {@link #submit} blocks while the queue holds {@code queue-size} lines (a
 *       batch larger than that is admitted into an empty queue). When Graphite is unreachable and
 *       {@code mayDrop} says the other bound is exhausted too (incoming/ at the puller's limit),
 *       the oldest waiting batch is dropped instead, with an ERROR saying how much.</li>
 *   <li>State changes are logged once each (connected, lost, given up for now, reconnected, queue
 *       full, queue drained), never per line.</li>
 *   <li>A flushed write is not a delivery: a relay that hangs takes lines into the socket
 *       buffers and never reads them. The last {@code replay-bytes} written are kept
 *       ({@link ReplayRing}, 8 MiB by default: a stopped relay took 3.1 MB here before a write
 *       blocked), and after any lost connection they are written again before anything new; new
 *       polls follow only once the peer took the whole replay (docs/reliability.md states the
 *       window). The send buffer is left to the kernel's autotuning: a small one would shrink the
 *       window but cut the send rate two to three times.</li>
 *   <li>Graphite never writes back. A peer that does is read and ignored, at most
 *       {@link #PROBE_READ_LIMIT} bytes a probe, and reported unhealthy while it goes on.</li>
 * </ul>
 */
final class GraphiteDispatcher implements Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(GraphiteDispatcher.class);
    /** Most bytes one probe reads from a peer that writes back, before the batch is written anyway. */
    static final int PROBE_READ_LIMIT = 64 * 1024;

    /** A queued batch; it is complete when submitted and nobody adds to it after. */
    private record Pending(String timestamp, int lines, MetricBatch batch, CompletableFuture<Void> done) {
    }

    private final GraphiteSettings settings;
    private final ScheduledExecutorService timer;
    private final BooleanSupplier mayDrop;
    private final long capacity;
    private final Thread sender;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock.
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private long queuedLines;
    private Pending inFlight;
    private boolean stopWaiting;
    private boolean closed;
    private boolean fullAnnounced;
    private long droppedLines;
    private long reconnects;

    // Sender thread only.
    private volatile Socket socket; // volatile: close() closes it from another thread
    private OutputStream out;
    private InputStream in;
    private boolean everConnected;
    private final ReplayRing replay;
    /** The last connection was lost: the replay ring goes first on the next, and must be taken whole. */
    private boolean replayDue;
    private long peerBytes;
    // Read by the reporter: the peer keeps writing to us (a probe hit its read limit).
    private volatile boolean peerTalks;
    // Read by close() (no point waiting to drain into an unreachable peer) and by submit() (drop
    // only during an outage, never while a reachable peer is merely slower than the polls).
    private volatile boolean down;
    private long downSinceNanos;

    /**
     * @param mayDrop true when dropping the oldest batch is allowed because the durable queue is
     *                full too (see class comment); asked only while this queue is full
     */
    GraphiteDispatcher(GraphiteSettings settings, ScheduledExecutorService timer, BooleanSupplier mayDrop) {
        this.settings = settings;
        this.timer = timer;
        this.mayDrop = mayDrop;
        this.capacity = settings.queueSize();
        this.replay = new ReplayRing(settings.replayBytes());
        this.sender = Thread.ofPlatform().name("graphite-sender").daemon().unstarted(this::sendLoop);
        sender.start();
    }

    @Override
    public String name() {
        return "graphite " + settings.server() + ":" + settings.port();
    }

    @Override
    public CompletableFuture<Void> submit(MetricBatch batch) throws InterruptedException, RejectedException {
        int lines = batch.lines();
        Pending p = new Pending(batch.timestamp(), lines, batch, new CompletableFuture<>());
        lock.lock();
        try {
            while (!queue.isEmpty() && queuedLines + lines > capacity) {
                if (closed || stopWaiting) {
                    throw new RejectedException(name() + ": stopping, queue full");
                }
                if (down && mayDrop.getAsBoolean() && dropOldest()) {
                    continue;
                }
                if (!fullAnnounced) {
                    LOG.warn("{}: queue full ({} lines waiting, queue-size {}); workers take no new poll until it "
                            + "drains, polls wait in incoming/", name(), queuedLines, capacity);
                    fullAnnounced = true;
                }
                changed.await(1, TimeUnit.SECONDS);
            }
            if (closed) {
                throw new RejectedException(name() + ": stopped");
            }
            queue.addLast(p);
            queuedLines += lines;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return p.done();
    }

    /** Drops the oldest batch not being written; caller holds the lock. */
    private boolean dropOldest() {
        Iterator<Pending> it = queue.iterator();
        while (it.hasNext()) {
            Pending p = it.next();
            if (p == inFlight) {
                continue;
            }
            it.remove();
            int lines = p.lines();
            queuedLines -= lines;
            droppedLines += lines;
            LOG.error("{}: dropped the oldest waiting poll {} ({} lines, {} dropped since start): the queue "
                    + "(queue-size {}) and incoming/ ([pull] queue-size) are both full", name(),
                    p.timestamp(), lines, droppedLines, capacity);
            p.done().completeExceptionally(new DroppedException("dropped " + lines + " lines: " + name()
                    + " unreachable and every queue full"));
            return true;
        }
        return false;
    }

    @Override
    public DeliveryStats stats() {
        lock.lock();
        try {
            return new DeliveryStats(queuedLines, droppedLines, reconnects);
        } finally {
            lock.unlock();
        }
    }

    /** False while the peer is known unreachable (a round of connection tries failed, or the connection was lost). */
    boolean reachable() {
        return !down;
    }

    /** True while the peer keeps sending us data: not what a Graphite plaintext listener does. */
    boolean peerTalks() {
        return peerTalks;
    }

    /** True while the sender thread runs. */
    boolean senderAlive() {
        return sender.isAlive();
    }

    @Override
    public void stopWaiting() {
        lock.lock();
        try {
            stopWaiting = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close(Duration drain) throws InterruptedException {
        long deadline = System.nanoTime() + drain.toNanos();
        int leftPolls;
        long leftLines;
        lock.lock();
        try {
            stopWaiting = true;
            changed.signalAll();
            while (!queue.isEmpty() && !down && System.nanoTime() < deadline) {
                changed.await(Math.min(100_000_000L, Math.max(1, deadline - System.nanoTime())), TimeUnit.NANOSECONDS);
            }
            leftPolls = queue.size();
            leftLines = queuedLines;
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        sender.interrupt();
        closeQuietly(socket); // unblocks a write in progress
        sender.join(TimeUnit.SECONDS.toMillis(5));
        if (leftPolls > 0) {
            LOG.warn("{}: stopping with {} lines of {} polls not delivered; their directories stay in src-dir and "
                    + "are sent at the next start", name(), leftLines, leftPolls);
        }
    }

    private void sendLoop() {
        try {
            while (true) {
                Pending next;
                lock.lock();
                try {
                    while (queue.isEmpty() && !closed) {
                        changed.await();
                    }
                    if (closed) {
                        return;
                    }
                } finally {
                    lock.unlock();
                }
                if (socket == null && !connectRound()) {
                    pause(settings.delay());
                    continue;
                }
                if (replayDue && !replay()) {
                    continue;
                }
                lock.lock();
                try {
                    next = queue.peekFirst();
                    inFlight = next;
                } finally {
                    lock.unlock();
                }
                if (next == null) {
                    continue; // dropped meanwhile
                }
                boolean written = write(next);
                lock.lock();
                try {
                    inFlight = null;
                    if (written) {
                        queue.removeFirst();
                        queuedLines -= next.lines();
                        if (fullAnnounced && queuedLines < capacity) {
                            fullAnnounced = false;
                            LOG.info("{}: queue has room again ({} lines waiting)", name(), queuedLines);
                        }
                        changed.signalAll();
                    }
                } finally {
                    lock.unlock();
                }
                if (written) {
                    next.done().complete(null);
                }
            }
        } catch (InterruptedException e) {
            // close(): the queue's remaining batches stay undelivered, their polls on disk.
        } finally {
            closeQuietly(socket);
        }
    }

    /** One round of connection tries; true when connected. */
    private boolean connectRound() throws InterruptedException {
        int tries = settings.connect().tries();
        IOException last = null;
        for (int failures = 0; failures < tries; ) {
            if (isClosed()) {
                return false;
            }
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(settings.server(), settings.port()),
                        (int) Math.max(1, settings.connect().timeout().toMillis()));
                socket = s;
                out = new BufferedOutputStream(s.getOutputStream(), 1 << 16);
                in = s.getInputStream();
                connected();
                return true;
            } catch (IOException e) {
                closeQuietly(s);
                last = e;
                failures++;
                if (failures < tries) {
                    pause(settings.connect().waitAfterFailure(failures));
                }
            }
        }
        if (!down) {
            down = true;
            downSinceNanos = System.nanoTime();
            LOG.error("{}: cannot connect after {} tries ({}); given up for now, trying again every {} s; {} lines "
                    + "queued, polls wait in incoming/", name(), tries, describe(last), seconds(settings.delay()),
                    stats().queuedLines());
        } else {
            LOG.debug("{}: still unreachable: {}", name(), describe(last));
        }
        return false;
    }

    private void connected() {
        if (!everConnected) {
            everConnected = true;
            down = false;
            LOG.info("{}: connected", name());
            return;
        }
        lock.lock();
        try {
            reconnects++;
        } finally {
            lock.unlock();
        }
        String after = down ? " after " + (System.nanoTime() - downSinceNanos) / 1_000_000_000 + " s" : "";
        down = false;
        LOG.info("{}: reconnected{}; sending {} queued lines first", name(), after, stats().queuedLines());
    }

    /** Something the sender writes and flushes under the write watchdog. */
    private interface Write {
        void to(OutputStream out) throws IOException;
    }

    /** Writes and flushes one batch; on failure the connection is closed and the batch stays first in line. */
    private boolean write(Pending p) {
        if (peerClosed()) {
            lost("the peer closed the connection");
            return false;
        }
        long t0 = System.nanoTime();
        if (!guarded(p.batch().byteCount(), p.batch()::writeTo)) {
            return false;
        }
        LOG.debug("{}: poll {}: {} lines written in {} ms", name(), p.timestamp(), p.lines(),
                (System.nanoTime() - t0) / 1_000_000);
        try {
            replay.append(p.batch());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // an in-memory copy does not fail
        }
        return true;
    }

    /**
     * After a lost connection: writes the replay ring again, first thing on the new connection. True
     * once the peer took all of it (more than the socket buffers hold, when the ring is full: the
     * peer reads again); false, with the connection lost again, otherwise.
     */
    private boolean replay() {
        if (replay.isEmpty()) {
            replayDue = false;
            return true;
        }
        long t0 = System.nanoTime();
        if (!guarded(replay.size(), replay::writeTo)) {
            return false;
        }
        replayDue = false;
        LOG.info("{}: wrote the last {} bytes again (lines a lost connection may not have delivered) in {} ms",
                name(), replay.size(), (System.nanoTime() - t0) / 1_000_000);
        return true;
    }

    /** Writes and flushes under the watchdog (write-timeout plus 1 s per MB); on failure the connection is lost. */
    private boolean guarded(long bytes, Write write) {
        Socket current = socket;
        AtomicBoolean timedOut = new AtomicBoolean();
        long boundMillis = settings.writeTimeout().toMillis() + bytes / 1_000L;
        ScheduledFuture<?> watchdog = timer.schedule(() -> {
            timedOut.set(true);
            closeQuietly(current);
        }, boundMillis, TimeUnit.MILLISECONDS);
        try {
            write.to(out);
            out.flush();
            return true;
        } catch (IOException e) {
            lost(timedOut.get() ? "write-timeout: a write blocked longer than write-timeout plus 1 s per MB, "
                    + boundMillis + " ms" : describe(e));
            return false;
        } finally {
            watchdog.cancel(false);
        }
    }

    /**
     * True when the peer has closed its side (a read sees the end of the stream or an error). A
     * closed peer would otherwise take one more batch into the socket buffer before the write
     * fails, and that batch would be lost. Graphite never sends anything: what a peer sends is read
     * and ignored, at most {@link #PROBE_READ_LIMIT} bytes a probe (a peer that never stops writing
     * made this loop spin at full CPU and starve the sends), and reported.
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
                LOG.warn("{}: the peer keeps sending data ({} bytes on this connection); a Graphite plaintext "
                        + "listener never does: is this the right host and port? Ignoring it", name(), peerBytes);
            }
        }
        peerTalks = read >= PROBE_READ_LIMIT;
        return false;
    }

    private void lost(String reason) {
        closeQuietly(socket);
        socket = null;
        out = null;
        in = null;
        replayDue = true;
        peerBytes = 0;
        peerTalks = false;
        down = true;
        downSinceNanos = System.nanoTime();
        LOG.error("{}: connection lost ({}); reconnecting, {} lines queued", name(), reason, stats().queuedLines());
    }

    private boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Sleeps, waking early when the dispatcher is closed. */
    private void pause(Duration d) throws InterruptedException {
        long deadline = System.nanoTime() + d.toNanos();
        while (!isClosed()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        }
    }

    private static String seconds(Duration d) {
        return String.valueOf(d.toMillis() / 1000.0);
    }

    private static String describe(IOException e) {
        return e == null ? "no try" : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
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
