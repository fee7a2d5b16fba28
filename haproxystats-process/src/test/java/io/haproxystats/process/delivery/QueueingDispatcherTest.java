package io.haproxystats.process.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.config.Connect;
import io.haproxystats.common.testing.Wait;
import io.haproxystats.common.time.ManualClock;
import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.status.DeliveryStats;
import io.haproxystats.process.testing.MemorySender;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The delivery policy alone, against an in-memory sender and a manual clock: FIFO order, the
 * failed batch first again after a reset, the backoff schedule, backpressure and the drop rule.
 * The socket layer's faults are GraphiteDispatcherFaultIT's.
 */
class QueueingDispatcherTest {

    final ManualClock clock = new ManualClock(Instant.ofEpochSecond(1_700_000_000L));
    final MemorySender sender = new MemorySender();
    QueueingDispatcher dispatcher;

    @AfterEach
    void close() throws InterruptedException {
        sender.release();
        if (dispatcher != null) {
            dispatcher.close(Duration.ZERO);
        }
    }

    /** retries 3 (4 tries a round), 100 ms x 2^k apart, 5 s between rounds. */
    QueueingDispatcher dispatcher(long queueSize, AtomicBoolean mayDrop) {
        dispatcher = new QueueingDispatcher(
                sender,
                new DeliveryPolicy(
                        queueSize,
                        new Connect(3, Duration.ofSeconds(1), Duration.ofMillis(100), 2),
                        Duration.ofSeconds(5)),
                clock,
                mayDrop::get);
        return dispatcher;
    }

    static MetricBatch batch(int timestamp, int lines) {
        MetricBatch b = new MetricBatch(Integer.toString(timestamp));
        for (int i = 0; i < lines; i++) {
            b.add("t.m" + i, i);
        }
        return b;
    }

    /** Submits from another thread, as a worker does; returns once that submit waits for room. */
    Thread submitBlocked(MetricBatch batch, List<CompletableFuture<Void>> into) throws InterruptedException {
        Thread worker = Thread.ofPlatform().start(() -> {
            try {
                CompletableFuture<Void> f = dispatcher.submit(batch);
                synchronized (into) {
                    into.add(f);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Wait.until(Duration.ofSeconds(10), () -> worker.getState() == Thread.State.TIMED_WAITING, "submit blocks");
        return worker;
    }

    static void await(List<CompletableFuture<Void>> futures) throws Exception {
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void batchesAreSentInTheOrderAdmitted() throws Exception {
        dispatcher(1000, new AtomicBoolean());
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            futures.add(dispatcher.submit(batch(i, 10)));
        }
        await(futures);
        assertEquals(List.of("1", "2", "3", "4", "5"), sender.delivered());
        assertEquals(List.of("connect", "send:1", "send:2", "send:3", "send:4", "send:5"), sender.events());
        assertEquals(new DeliveryStats(0, 0, 0), dispatcher.stats());
    }

    @Test
    void aBatchWhoseSendFailedIsSentAgainWholeFirstOnTheNextConnection() throws Exception {
        sender.failNextSendOf("2");
        dispatcher(1000, new AtomicBoolean());
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            futures.add(dispatcher.submit(batch(i, 10)));
        }
        await(futures);
        assertEquals(List.of("connect", "send:1", "fail:2", "connect", "send:2", "send:3"), sender.events());
        assertEquals(1, dispatcher.stats().reconnects());
    }

    @Test
    void failedConnectsBackOffByIntervalTimesBackoffThenWaitDelayBetweenRounds() throws Exception {
        sender.reachable(false);
        dispatcher(1000, new AtomicBoolean());
        CompletableFuture<Void> done = dispatcher.submit(batch(1, 10));
        Wait.until(Duration.ofSeconds(10), () -> clock.sleeps().size() >= 8, "two rounds of tries");
        assertEquals(
                List.of(
                        Duration.ofMillis(100),
                        Duration.ofMillis(200),
                        Duration.ofMillis(400),
                        Duration.ofSeconds(5),
                        Duration.ofMillis(100),
                        Duration.ofMillis(200),
                        Duration.ofMillis(400),
                        Duration.ofSeconds(5)),
                clock.sleeps().subList(0, 8),
                "3 waits between 4 tries, then delay; the next round the same");
        assertFalse(dispatcher.reachable());
        assertFalse(done.isDone());
        sender.reachable(true);
        done.get(10, TimeUnit.SECONDS);
        assertTrue(dispatcher.reachable());
        assertEquals(List.of("1"), sender.delivered());
    }

    @Test
    void aFullQueueBlocksSubmitAndDropsTheOldestOnlyDuringAnOutageWhenAllowed() throws Exception {
        sender.reachable(false);
        AtomicBoolean mayDrop = new AtomicBoolean(false);
        dispatcher(100, mayDrop);
        CompletableFuture<Void> first = dispatcher.submit(batch(1, 60));
        AtomicReference<CompletableFuture<Void>> second = new AtomicReference<>();
        Thread worker = Thread.ofPlatform().start(() -> {
            try {
                second.set(dispatcher.submit(batch(2, 60)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Wait.until(Duration.ofSeconds(10), () -> !dispatcher.reachable(), "an outage");
        Wait.until(Duration.ofSeconds(10), () -> worker.getState() == Thread.State.TIMED_WAITING, "submit blocks");
        assertEquals(null, second.get(), "60 + 60 lines exceed queue-size 100 and dropping is not allowed: it waits");
        assertEquals(60, dispatcher.stats().queuedLines());

        mayDrop.set(true);
        worker.join(10_000);
        ExecutionException dropped = assertThrows(ExecutionException.class, () -> first.get(10, TimeUnit.SECONDS));
        assertInstanceOf(Dispatcher.DroppedException.class, dropped.getCause());
        assertEquals(new DeliveryStats(60, 60, 0), dispatcher.stats());

        sender.reachable(true);
        second.get().get(10, TimeUnit.SECONDS);
        assertEquals(List.of("2"), sender.delivered());
    }

    @Test
    void aReachablePeerSlowerThanThePollsMakesSubmitWaitButDropsNothing() throws Exception {
        sender.holdSends();
        dispatcher(100, new AtomicBoolean(true));
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        futures.add(dispatcher.submit(batch(1, 60))); // taken by the sender, held in its send
        futures.add(dispatcher.submit(batch(2, 30)));
        Thread worker = submitBlocked(batch(3, 60), futures);
        assertTrue(dispatcher.reachable());
        sender.release();
        worker.join(10_000);
        await(futures);
        assertEquals(List.of("1", "2", "3"), sender.delivered());
        assertEquals(0, dispatcher.stats().droppedLines());
    }

    @Test
    void theQueueIsBoundedInBytesTooWhateverItsLines() throws Exception {
        sender.holdSends();
        MetricBatch first = batch(1, 10);
        dispatcher = new QueueingDispatcher(
                sender,
                new DeliveryPolicy(
                        1_000_000,
                        new Connect(0, Duration.ofSeconds(1), Duration.ZERO, 1),
                        Duration.ofSeconds(5),
                        first.retainedBytes() * 2),
                clock,
                () -> false);
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        futures.add(dispatcher.submit(first)); // taken by the sender, held in its send
        futures.add(dispatcher.submit(batch(2, 10)));
        Thread worker = submitBlocked(batch(3, 10), futures);
        assertEquals(20, dispatcher.stats().queuedLines(), "20 lines of a million: the bytes bound it");
        sender.release();
        worker.join(10_000);
        await(futures);
        assertEquals(List.of("1", "2", "3"), sender.delivered());
    }

    @Test
    void aBatchLargerThanTheQueueIsAdmittedIntoAnEmptyQueue() throws Exception {
        dispatcher(10, new AtomicBoolean());
        dispatcher.submit(batch(1, 50)).get(10, TimeUnit.SECONDS);
        assertEquals(List.of("1"), sender.delivered());
    }

    @Test
    void closingWithThePeerDownKeepsBatchesUndeliveredAndRefusesNewOnes() throws Exception {
        sender.reachable(false);
        dispatcher(1000, new AtomicBoolean());
        CompletableFuture<Void> done = dispatcher.submit(batch(1, 10));
        Wait.until(Duration.ofSeconds(10), () -> !dispatcher.reachable(), "an outage");
        dispatcher.close(Duration.ofSeconds(30)); // does not wait to drain into an unreachable peer
        assertFalse(done.isDone(), "never completed: the poll directory stays on disk");
        assertThrows(Dispatcher.RejectedException.class, () -> dispatcher.submit(batch(2, 10)));
        assertFalse(dispatcher.senderAlive());
        dispatcher = null;
    }
}
