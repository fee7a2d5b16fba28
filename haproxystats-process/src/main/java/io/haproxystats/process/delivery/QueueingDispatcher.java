package io.haproxystats.process.delivery;

import io.haproxystats.common.time.Clock;
import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.status.DeliveryStats;
import io.haproxystats.process.status.Destination;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery policy in front of a {@link Sender}: a FIFO queue of poll batches bounded by
 * {@code queue-size} lines, drained by one sender thread. The transport decides how bytes reach the
 * peer; this class decides when, in what order, how often to retry and what to drop.
 *
 * <ul>
 *   <li>Order: batches are sent in the order admitted; a batch's future completes only once the
 *       sender handed it on.</li>
 *   <li>On a failed connection or send: {@code retries} more tries {@code interval} x
 *       {@code backoff}^k apart; when a round fails, wait {@code delay} and start another. The batch
 *       that failed is sent again, whole, first: order is kept, and a repeat only rewrites points
 *       with the same timestamps.</li>
 *   <li>Backpressure: {@link #submit} blocks while the queue holds {@code queue-size} lines or a
 *       quarter of the heap in bytes ({@link DeliveryPolicy#maxBytes()}) (a
 *       batch larger than that is admitted into an empty queue). When the peer is unreachable and
 *       {@code mayDrop} says the other bound is exhausted too (incoming/ at the puller's limit),
 *       the oldest waiting batch is dropped instead, with an ERROR saying how much.</li>
 *   <li>State changes are logged once each (connected, lost, given up for now, reconnected, queue
 *       full, queue has room), never per line.</li>
 * </ul>
 * Times (the backoff waits, the drain deadline, outage lengths) come from the injected clock.
 */
public final class QueueingDispatcher implements Dispatcher, Destination {

    private static final Logger LOG = LoggerFactory.getLogger(QueueingDispatcher.class);

    /** A queued batch; it is complete when submitted and nobody adds to it after. */
    private record Pending(String timestamp, int lines, long bytes, MetricBatch batch, CompletableFuture<Void> done) {}

    private final String backlog;
    private final Sender sender;
    private final DeliveryPolicy policy;
    private final Clock clock;
    private final BooleanSupplier mayDrop;
    private final Thread thread;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock.
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private long queuedLines;
    private long queuedBytes;
    private Pending inFlight;
    private boolean stopWaiting;
    private boolean closed;
    private boolean fullAnnounced;
    private long droppedLines;
    private long reconnects;

    // Sender thread only.
    private boolean everConnected;
    // Read by close() (no point waiting to drain into an unreachable peer) and by submit() (drop
    // only during an outage, never while a reachable peer is merely slower than the polls).
    private volatile boolean down;
    private long downSinceNanos;

    /**
     * @param mayDrop true when dropping the oldest batch is allowed because the durable queue is
     *                full too (see class comment); asked only while this queue is full
     */
    public QueueingDispatcher(Sender sender, DeliveryPolicy policy, Clock clock, BooleanSupplier mayDrop) {
        this(sender, policy, clock, mayDrop, LOCAL_BACKLOG);
    }

    /** Where polls wait while this queue is full, as local mode's log lines say it. */
    public static final String LOCAL_BACKLOG = "incoming/";

    /**
     * @param backlog where polls wait while the queue is full or down, for the log lines:
     *                {@link #LOCAL_BACKLOG} in local mode, the topic on a central processor
     *                (which has no incoming/)
     */
    public QueueingDispatcher(
            Sender sender, DeliveryPolicy policy, Clock clock, BooleanSupplier mayDrop, String backlog) {
        this.backlog = backlog;
        this.sender = sender;
        this.policy = policy;
        this.clock = clock;
        this.mayDrop = mayDrop;
        this.thread = Thread.ofPlatform()
                .name(sender.kind().toLowerCase(Locale.ROOT) + "-sender")
                .daemon()
                .unstarted(this::sendLoop);
        thread.start();
    }

    @Override
    public String name() {
        return sender.name();
    }

    @Override
    public CompletableFuture<Void> submit(MetricBatch batch) throws InterruptedException, RejectedException {
        int lines = batch.lines();
        long bytes = batch.retainedBytes();
        Pending p = new Pending(batch.timestamp(), lines, bytes, batch, new CompletableFuture<>());
        lock.lock();
        try {
            while (!queue.isEmpty()
                    && (queuedLines + lines > policy.queueSize() || queuedBytes + bytes > policy.maxBytes())) {
                if (closed || stopWaiting) {
                    throw new RejectedException(name() + ": stopping, queue full");
                }
                if (down && mayDrop.getAsBoolean() && dropOldest()) {
                    continue;
                }
                if (!fullAnnounced) {
                    LOG.warn(
                            "{}: queue full ({} lines, {} bytes waiting; queue-size {}, a quarter of the heap {} "
                                    + "bytes); workers take no new poll until it drains, polls wait in {}",
                            name(),
                            queuedLines,
                            queuedBytes,
                            policy.queueSize(),
                            policy.maxBytes(),
                            backlog);
                    fullAnnounced = true;
                }
                changed.await(1, TimeUnit.SECONDS);
            }
            if (closed) {
                throw new RejectedException(name() + ": stopped");
            }
            queue.addLast(p);
            queuedLines += lines;
            queuedBytes += bytes;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return p.done();
    }

    /** Drops the oldest batch not being sent; caller holds the lock. */
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
            queuedBytes -= p.bytes();
            droppedLines += lines;
            LOG.error(
                    "{}: dropped the oldest waiting poll {} ({} lines, {} dropped since start): the queue "
                            + "(queue-size {}) and incoming/ ([pull] queue-size) are both full",
                    name(),
                    p.timestamp(),
                    lines,
                    droppedLines,
                    policy.queueSize());
            p.done()
                    .completeExceptionally(new DroppedException(
                            "dropped " + lines + " lines: " + name() + " unreachable and every queue full"));
            return true;
        }
        return false;
    }

    @Override
    public String statsName() {
        return sender.kind();
    }

    @Override
    public String statusKey() {
        return sender.kind().toLowerCase(Locale.ROOT);
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
    @Override
    public boolean reachable() {
        return !down;
    }

    /** The transport's warning about its peer, empty when none ({@link Sender#peerWarning()}). */
    @Override
    public String peerWarning() {
        return sender.peerWarning();
    }

    /** True while the sender thread runs. */
    @Override
    public boolean senderAlive() {
        return thread.isAlive();
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
        long deadline = clock.nanoTime() + drain.toNanos();
        int leftPolls;
        long leftLines;
        lock.lock();
        try {
            stopWaiting = true;
            changed.signalAll();
            while (!queue.isEmpty() && !down && clock.nanoTime() < deadline) {
                changed.await(Math.min(100_000_000L, Math.max(1, deadline - clock.nanoTime())), TimeUnit.NANOSECONDS);
            }
            leftPolls = queue.size();
            leftLines = queuedLines;
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        thread.interrupt();
        sender.close(); // unblocks a send in progress
        thread.join(TimeUnit.SECONDS.toMillis(5));
        if (leftPolls > 0) {
            LOG.warn(
                    "{}: stopping with {} lines of {} polls not delivered; they stay in {} and are sent at the next"
                            + " start",
                    name(),
                    leftLines,
                    leftPolls,
                    backlog);
        }
    }

    private void sendLoop() {
        try {
            while (true) {
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
                if (!sender.isConnected() && !connectRound()) {
                    pause(policy.delay());
                    continue;
                }
                Pending next;
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
                boolean sent = send(next);
                lock.lock();
                try {
                    inFlight = null;
                    if (sent) {
                        queue.removeFirst();
                        queuedLines -= next.lines();
                        queuedBytes -= next.bytes();
                        if (fullAnnounced && queuedLines < policy.queueSize() && queuedBytes < policy.maxBytes()) {
                            fullAnnounced = false;
                            LOG.info("{}: queue has room again ({} lines waiting)", name(), queuedLines);
                        }
                        changed.signalAll();
                    }
                } finally {
                    lock.unlock();
                }
                if (sent) {
                    next.done().complete(null);
                }
            }
        } catch (InterruptedException e) {
            // close(): the queue's remaining batches stay undelivered, their polls on disk.
        } finally {
            sender.close();
        }
    }

    /** One round of connection tries; true when connected. */
    private boolean connectRound() throws InterruptedException {
        int tries = policy.connect().tries();
        IOException last = null;
        for (int failures = 0; failures < tries; ) {
            if (isClosed()) {
                return false;
            }
            try {
                sender.connect();
                connected();
                return true;
            } catch (IOException e) {
                last = e;
                failures++;
                if (failures < tries) {
                    pause(policy.connect().waitAfterFailure(failures));
                }
            }
        }
        if (!down) {
            markDown();
            LOG.error(
                    "{}: cannot connect after {} tries ({}); given up for now, trying again every {} s; {} lines "
                            + "queued, polls wait in {}",
                    name(),
                    tries,
                    describe(last),
                    seconds(policy.delay()),
                    stats().queuedLines(),
                    backlog);
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
        String after = down ? " after " + clock.nanosSince(downSinceNanos) / 1_000_000_000 + " s" : "";
        down = false;
        LOG.info("{}: reconnected{}; sending {} queued lines first", name(), after, stats().queuedLines());
    }

    /** Sends one batch; on failure the sender has closed its connection and the batch stays first in line. */
    private boolean send(Pending p) {
        long t0 = clock.nanoTime();
        try {
            sender.send(p.batch());
        } catch (IOException e) {
            markDown();
            LOG.error(
                    "{}: connection lost ({}); reconnecting, {} lines queued",
                    name(),
                    describe(e),
                    stats().queuedLines());
            return false;
        }
        LOG.debug(
                "{}: poll {}: {} lines sent in {} ms",
                name(),
                p.timestamp(),
                p.lines(),
                clock.nanosSince(t0) / 1_000_000);
        return true;
    }

    private void markDown() {
        down = true;
        downSinceNanos = clock.nanoTime();
    }

    private boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Waits on the clock; {@link #close} interrupts it. */
    private void pause(Duration d) throws InterruptedException {
        if (!isClosed()) {
            clock.sleep(d);
        }
    }

    private static String seconds(Duration d) {
        return String.valueOf(d.toMillis() / 1000.0);
    }

    private static String describe(IOException e) {
        if (e == null) {
            return "no try";
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        // Our own failures (the peer closed, write-timeout) say it all; a JDK's name tells the kind.
        return e.getClass() == IOException.class
                ? message
                : e.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
    }
}
