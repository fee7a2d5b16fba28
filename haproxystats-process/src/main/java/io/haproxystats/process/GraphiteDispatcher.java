package io.haproxystats.process;

import io.haproxystats.common.config.GraphiteSettings;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
 * </ul>
 */
final class GraphiteDispatcher implements Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(GraphiteDispatcher.class);

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

    /** Writes and flushes one batch; on failure the connection is closed and the batch stays first in line. */
    private boolean write(Pending p) {
        if (peerClosed()) {
            lost("the peer closed the connection");
            return false;
        }
        Socket current = socket;
        AtomicBoolean timedOut = new AtomicBoolean();
        long boundMillis = settings.writeTimeout().toMillis() + p.batch().byteCount() / 1_000L;
        ScheduledFuture<?> watchdog = timer.schedule(() -> {
            timedOut.set(true);
            closeQuietly(current);
        }, boundMillis, TimeUnit.MILLISECONDS);
        try {
            long t0 = System.nanoTime();
            p.batch().writeTo(out);
            out.flush();
            LOG.debug("{}: poll {}: {} lines written in {} ms", name(), p.timestamp(), p.lines(),
                    (System.nanoTime() - t0) / 1_000_000);
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
     * True when the peer has closed its side (a read sees the end of the stream or an error).
     * Graphite never sends anything, so any byte read is ignored. A closed peer would otherwise
     * take one more batch into the socket buffer before the write fails, and that batch would be lost.
     */
    private boolean peerClosed() {
        try {
            socket.setSoTimeout(1);
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private void lost(String reason) {
        closeQuietly(socket);
        socket = null;
        out = null;
        in = null;
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
