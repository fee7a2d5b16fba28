package io.haproxystats.process.graphite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.config.Connect;
import io.haproxystats.common.config.GraphiteSettings;
import io.haproxystats.common.testing.CarbonRelay;
import io.haproxystats.common.testing.HaproxyInstance;
import io.haproxystats.common.testing.Wait;
import io.haproxystats.common.time.Clock;
import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.delivery.DeliveryPolicy;
import io.haproxystats.process.delivery.Dispatcher;
import io.haproxystats.process.delivery.QueueingDispatcher;
import io.haproxystats.process.testing.FaultyPeer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Graphite dispatcher (a {@link QueueingDispatcher} over a {@link GraphiteConnection}) against peers that misbehave in ways a real relay cannot be made to: one
 * that accepts and stops reading, one that resets mid-poll, one that refuses for a while; and its
 * queue bound: backpressure, and dropping oldest first only when allowed. In each, every line of
 * every batch that was not dropped reaches a reading peer, in order within its batch.
 */
class GraphiteDispatcherFaultIT {

    final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    final List<AutoCloseable> closeables = new ArrayList<>();
    QueueingDispatcher dispatcher;

    @AfterEach
    void cleanUp() throws Exception {
        if (dispatcher != null) {
            dispatcher.close(Duration.ZERO);
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
        timer.shutdownNow();
    }

    static GraphiteSettings settings(int port, int queueSize, Duration writeTimeout) {
        return new GraphiteSettings(
                "127.0.0.1",
                port,
                new Connect(2, Duration.ofMillis(200), Duration.ofMillis(50), 2),
                writeTimeout,
                Duration.ofMillis(200),
                "t",
                false,
                false,
                queueSize,
                Optional.empty());
    }

    /** The Graphite dispatcher as the processor builds it: the queue policy over a Graphite connection. */
    QueueingDispatcher graphite(GraphiteSettings settings, BooleanSupplier mayDrop) {
        return new QueueingDispatcher(
                new GraphiteConnection(settings, timer, Clock.system()),
                DeliveryPolicy.of(settings),
                Clock.system(),
                mayDrop);
    }

    static MetricBatch batch(int timestamp, int lines) {
        MetricBatch b = new MetricBatch(Integer.toString(timestamp));
        for (int i = 0; i < lines; i++) {
            b.add("t.haproxy.backend.some_backend_name.server.some_server_name.metric" + i, i);
        }
        return b;
    }

    static List<String> lines(MetricBatch b) {
        return List.of(b.text().split("\n"));
    }

    private FaultyPeer peer(int port, int receiveBuffer, FaultyPeer.ShapeByConnection shape) throws Exception {
        FaultyPeer p = new FaultyPeer(port, receiveBuffer, shape);
        closeables.add(p);
        return p;
    }

    private static void await(List<CompletableFuture<Void>> futures) throws Exception {
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    private static boolean arrivedWhole(FaultyPeer peer, MetricBatch b) {
        List<String> expected = lines(b);
        return peer.received().stream().anyMatch(c -> {
            int first = c.indexOf(expected.get(0));
            return first >= 0
                    && first + expected.size() <= c.size()
                    && c.subList(first, first + expected.size()).equals(expected);
        });
    }

    /**
     * Waits until every batch appears complete and in order on one connection (a future completes
     * when the lines are flushed into the socket, a little before the peer has read them all);
     * returns the lines of all connections.
     */
    private static List<String> assertEveryBatchArrivedWhole(FaultyPeer peer, List<MetricBatch> batches)
            throws InterruptedException {
        Wait.until(
                Duration.ofSeconds(10),
                () -> batches.stream().allMatch(b -> arrivedWhole(peer, b)),
                "every batch whole and in order on one connection");
        List<String> all = new ArrayList<>();
        peer.received().forEach(all::addAll);
        return all;
    }

    @Test
    void aPeerThatStopsReadingTripsTheWriteTimeoutAndNothingIsLost() throws Exception {
        int port = HaproxyInstance.freePort();
        FaultyPeer stuck = peer(port, 4096, c -> FaultyPeer.Shape.NEVER_READ);
        dispatcher = graphite(settings(port, 10_000_000, Duration.ofMillis(300)), () -> false);
        // ~8 MB: more than the socket buffers of both ends can absorb, so the write blocks.
        List<MetricBatch> batches = List.of(batch(1, 100_000), batch(2, 10), batch(3, 10));
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (MetricBatch b : batches) {
            futures.add(dispatcher.submit(b));
        }
        Wait.until(
                Duration.ofSeconds(30), () -> stuck.accepted() >= 2, "the write-timeout gives up the stuck connection");
        assertFalse(futures.get(0).isDone(), "a batch stuck in a write is not counted as delivered");
        stuck.close();
        FaultyPeer reader = peer(port, 0, c -> FaultyPeer.Shape.READ);
        await(futures);
        assertEveryBatchArrivedWhole(reader, batches);
        Thread.sleep(200); // not a synchronisation: room for a wrong extra line to arrive before counting
        List<String> all = new ArrayList<>();
        reader.received().forEach(all::addAll);
        assertEquals(100_020, all.size(), "the reading peer got every line exactly once");
        assertEquals(0, dispatcher.stats().queuedLines());
    }

    /**
     * A relay frozen for good: every connection is accepted (a listen backlog completes handshakes
     * as well) and never read. Small polls keep coming; the sender reconnects again and again. A
     * batch counts as delivered only once the peer's TCP acknowledged all of it but what the peer
     * acknowledged since (so at most twice a receive buffer written), and each new connection must
     * first have the whole replay window acknowledged that way, so what the relay takes away, over
     * all its connections, is at most twice one connection's receive buffer. (A batch written into
     * our own send queue counted as delivered before: the relay took every poll while reading none.)
     */
    @Test
    void aRelayFrozenForGoodTakesAwayAtMostTwoReceiveBuffers() throws Exception {
        int port = HaproxyInstance.freePort();
        FaultyPeer frozen = peer(port, 4096, c -> FaultyPeer.Shape.NEVER_READ);
        dispatcher = graphite(settings(port, 10_000_000, Duration.ofMillis(300)), () -> false);
        List<MetricBatch> batches = new ArrayList<>();
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 1; i <= 400; i++) { // about 800 bytes each: 320 KB of small polls
            MetricBatch b = batch(i, 10);
            batches.add(b);
            futures.add(dispatcher.submit(b));
        }
        Wait.until(
                Duration.ofSeconds(60),
                () -> frozen.accepted() >= 4 || futures.stream().allMatch(CompletableFuture::isDone),
                "the sender met the frozen relay on three more connections (or counted every poll delivered)");
        long delivered = 0;
        int deliveredPolls = 0;
        for (int i = 0; i < batches.size(); i++) {
            if (futures.get(i).isDone()) {
                assertFalse(futures.get(i).isCompletedExceptionally(), "nothing dropped");
                delivered += batches.get(i).byteCount();
                deliveredPolls++;
            }
        }
        int bound = 2 * frozen.receiveBuffer();
        assertTrue(
                delivered <= bound,
                deliveredPolls + " polls (" + delivered + " bytes) counted as delivered to a relay that read none; "
                        + "at most twice its receive buffer (" + bound + " bytes) may be");
        assertTrue(frozen.received().stream().allMatch(List::isEmpty), "the relay read nothing");
        System.out.println("frozen relay: " + deliveredPolls + " of " + batches.size() + " polls (" + delivered
                + " bytes) counted as delivered, bound " + bound + " bytes (twice its receive buffer), "
                + frozen.accepted()
                + " connections");
    }

    @Test
    void aPeerThatResetsMidPollGetsTheWholePollAgain() throws Exception {
        int port = HaproxyInstance.freePort();
        // A small receive buffer and an ~8 MB first batch: the reset comes while the batch is being written.
        FaultyPeer peer = peer(port, 4096, c -> c == 0 ? FaultyPeer.Shape.RESET_AFTER_100KB : FaultyPeer.Shape.READ);
        dispatcher = graphite(settings(port, 10_000_000, Duration.ofSeconds(2)), () -> false);
        List<MetricBatch> batches = List.of(batch(1, 100_000), batch(2, 20_000), batch(3, 20_000));
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (MetricBatch b : batches) {
            futures.add(dispatcher.submit(b));
        }
        await(futures);
        assertEveryBatchArrivedWhole(peer, batches);
        assertEquals(1, dispatcher.stats().reconnects(), "one reconnection after the reset");
        assertTrue(peer.accepted() >= 2);
    }

    @Test
    void aPeerThatRefusesForAWhileGetsEverythingInOrderOnceItListens() throws Exception {
        int port = HaproxyInstance.freePort(); // nobody listens: connections are refused
        dispatcher = graphite(settings(port, 10_000_000, Duration.ofSeconds(2)), () -> false);
        List<MetricBatch> batches = new ArrayList<>();
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            batches.add(batch(i, 1000));
            futures.add(dispatcher.submit(batches.get(i)));
        }
        Wait.until(Duration.ofSeconds(10), () -> !dispatcher.reachable(), "a round of refused connections");
        assertTrue(futures.stream().noneMatch(CompletableFuture::isDone));
        assertEquals(5000, dispatcher.stats().queuedLines());
        FaultyPeer peer = peer(port, 0, c -> FaultyPeer.Shape.READ);
        await(futures);
        List<String> expected = new ArrayList<>();
        batches.forEach(b -> expected.addAll(lines(b)));
        Wait.until(Duration.ofSeconds(5), () -> peer.received().get(0).size() == 5000, "all lines read");
        assertEquals(expected, peer.received().get(0), "every line once, FIFO");
    }

    @Test
    void aFullQueueBlocksSubmittersAndDropsOldestOnlyWhenAllowed() throws Exception {
        int port = HaproxyInstance.freePort();
        AtomicBoolean mayDrop = new AtomicBoolean(false);
        dispatcher = graphite(settings(port, 100, Duration.ofSeconds(2)), mayDrop::get);
        MetricBatch first = batch(1, 60);
        MetricBatch second = batch(2, 60);
        CompletableFuture<Void> firstDone = dispatcher.submit(first);
        List<CompletableFuture<Void>> secondDone = new ArrayList<>();
        Thread worker = Thread.ofPlatform().start(() -> {
            try {
                secondDone.add(dispatcher.submit(second));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Wait.until(Duration.ofSeconds(5), () -> worker.getState() == Thread.State.TIMED_WAITING, "submit blocks");
        assertTrue(worker.isAlive() && secondDone.isEmpty(), "60 + 60 lines exceed queue-size 100: the worker waits");
        assertEquals(60, dispatcher.stats().queuedLines());

        Wait.until(
                Duration.ofSeconds(10),
                () -> !dispatcher.reachable(),
                "the sender gives up its first round of connection tries: an outage");
        mayDrop.set(true); // incoming/ is full too: drop the oldest instead of waiting
        worker.join(5000);
        assertFalse(worker.isAlive());
        ExecutionException dropped = assertThrows(ExecutionException.class, () -> firstDone.get(5, TimeUnit.SECONDS));
        assertInstanceOf(Dispatcher.DroppedException.class, dropped.getCause());
        assertEquals(60, dispatcher.stats().droppedLines());
        assertEquals(60, dispatcher.stats().queuedLines());

        FaultyPeer peer = peer(port, 0, c -> FaultyPeer.Shape.READ);
        secondDone.get(0).get(30, TimeUnit.SECONDS);
        Wait.until(Duration.ofSeconds(5), () -> peer.received().get(0).size() == 60, "second batch read");
        assertEquals(lines(second), peer.received().get(0));
    }

    @Test
    void closingWithThePeerDownLeavesBatchesUndeliveredAndReturnsWithinTheDrainTime() throws Exception {
        int port = HaproxyInstance.freePort();
        dispatcher = graphite(settings(port, 1000, Duration.ofSeconds(2)), () -> false);
        CompletableFuture<Void> done = dispatcher.submit(batch(1, 10));
        long t0 = System.nanoTime();
        dispatcher.close(Duration.ofMillis(500));
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertFalse(done.isDone(), "never completed: the poll directory stays on disk");
        assertTrue(took < 10_000, "close returned after " + took + " ms");
        assertThrows(Dispatcher.RejectedException.class, () -> dispatcher.submit(batch(2, 10)));
        dispatcher = null;
    }

    @Test
    void aPeerThatKeepsWritingBackIsIgnoredAndReportedAndEveryBatchStillArrives() throws Exception {
        int port = HaproxyInstance.freePort();
        FaultyPeer talker = peer(port, 0, c -> FaultyPeer.Shape.READ_AND_TALK_BACK);
        dispatcher = graphite(settings(port, 10_000_000, Duration.ofSeconds(2)), () -> false);
        List<MetricBatch> batches = new ArrayList<>();
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            MetricBatch b = batch(i, 50);
            batches.add(b);
            futures.add(dispatcher.submit(b));
            Thread.sleep(20); // polls arrive over time while the peer chatters
        }
        // One more after a pause: the chatter meanwhile (about 4 MB/s) is far more than a probe reads.
        Thread.sleep(300);
        MetricBatch last = batch(21, 50);
        batches.add(last);
        futures.add(dispatcher.submit(last));
        await(futures);
        assertEveryBatchArrivedWhole(talker, batches);
        assertEquals(1, talker.accepted(), "one connection: the chatter does not break it");
        assertEquals("peer-sends-data", dispatcher.peerWarning(), "reported as a peer that sends data");
        assertTrue(dispatcher.reachable());
    }

    @Test
    void aRelayThatHangsAndDiesLosesNoLineItTookTheNextRelayGetsThemAgain(@TempDir Path tmp) throws Exception {
        int port = HaproxyInstance.freePort();
        CarbonRelay hung = CarbonRelay.start(tmp, port);
        closeables.add(hung);
        dispatcher = graphite(settings(port, 10_000_000, Duration.ofMillis(500)), () -> false);
        dispatcher.submit(batch(1, 100)).get(10, TimeUnit.SECONDS);
        Wait.until(Duration.ofSeconds(10), () -> linesOf(hung).size() == 100, "the first batch is in the relay's file");
        hung.pause();
        // About 7 MB: more than the socket buffers take (3.1 MB measured), so a write blocks and
        // write-timeout trips; less than the 8 MiB replay.
        List<MetricBatch> batches = new ArrayList<>();
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 2; i <= 81; i++) {
            MetricBatch b = batch(i, 1000);
            batches.add(b);
            futures.add(dispatcher.submit(b));
        }
        // A stopped relay's kernel still accepts connections: after the write-timeout the sender
        // reconnects at once, so the sign of the timeout is the reconnect.
        Wait.until(
                Duration.ofSeconds(30), () -> dispatcher.stats().reconnects() >= 1, "write-timeout on the hung relay");
        List<MetricBatch> takenByTheHungRelay = new ArrayList<>();
        for (int i = 0; i < batches.size(); i++) {
            if (futures.get(i).isDone()) {
                takenByTheHungRelay.add(batches.get(i));
            }
        }
        assertFalse(takenByTheHungRelay.isEmpty(), "some batches went into the hung relay's socket buffers");
        hung.kill(); // what it took and never read is gone with it
        CarbonRelay next = CarbonRelay.start(tmp, port);
        closeables.add(next);
        await(futures);
        Wait.until(
                Duration.ofSeconds(30),
                () -> {
                    Set<String> arrived = new HashSet<>(linesOf(hung));
                    arrived.addAll(linesOf(next));
                    return batches.stream().allMatch(b -> arrived.containsAll(lines(b)));
                },
                "every line of every batch at one relay or the other, those the hung relay took included");
    }

    private static List<String> linesOf(CarbonRelay relay) {
        try {
            return relay.lines();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
