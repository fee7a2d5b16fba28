package io.haproxystats.process.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.haproxystats.common.config.ProcessConfig;
import io.haproxystats.common.testing.Entries;
import io.haproxystats.common.time.Clock;
import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.compute.MetricPaths;
import io.haproxystats.process.compute.PollBudget;
import io.haproxystats.process.compute.PollComputation;
import io.haproxystats.process.delivery.Dispatcher;
import io.haproxystats.process.delivery.FanOut;
import io.haproxystats.process.delivery.LocalStoreDispatcher;
import io.haproxystats.process.spool.Quarantine;
import io.haproxystats.process.testing.Fixtures;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The handler's rules around dispatchers and quarantine: a retry goes only to the dispatchers that
 * do not have the poll yet, a failing dispatcher is logged once per change of state, quarantine is
 * bounded, and a poll is sized against the heap before it is read.
 */
class PollHandlerPolicyTest {

    @TempDir
    Path tmp;

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger handlerLogger = (Logger) LoggerFactory.getLogger(PollHandler.class);
    private final Logger quarantineLogger = (Logger) LoggerFactory.getLogger(Quarantine.class);
    private final Logger fanOutLogger = (Logger) LoggerFactory.getLogger(FanOut.class);

    @BeforeEach
    void captureLog() {
        log.start();
        handlerLogger.addAppender(log);
        quarantineLogger.addAppender(log);
        fanOutLogger.addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        handlerLogger.detachAppender(log);
        quarantineLogger.detachAppender(log);
        fanOutLogger.detachAppender(log);
    }

    /** Records what it is given; stands for the second destination next to the real local-store. */
    private static final class Recording implements Dispatcher {
        final List<String> polls = new ArrayList<>();

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public synchronized CompletableFuture<Void> submit(MetricBatch batch) {
            polls.add(batch.timestamp());
            return CompletableFuture.completedFuture(null);
        }
    }

    private PollHandler handler(List<Dispatcher> dispatchers, Quarantine quarantine) {
        ProcessConfig config = Fixtures.smallConfig();
        PollComputation computation =
                new PollComputation(config.process(), new MetricPaths(config.graphite(), "lb-01"), Clock.system());
        return new PollHandler(
                new PollReader(Optional.empty(), Optional.empty(), config.maxFileBytes()),
                computation,
                new FanOut(dispatchers, "retried"),
                quarantine,
                Runnable::run);
    }

    private Path poll(String name) throws Exception {
        Path poll = Files.createDirectories(tmp.resolve("incoming").resolve(name));
        Path good = Fixtures.small().resolve("1795224218");
        Files.copy(good.resolve("haproxy2.sock_info"), poll.resolve("haproxy2.sock_info"));
        Files.copy(good.resolve("haproxy2.sock_stat"), poll.resolve("haproxy2.sock_stat"));
        return poll;
    }

    private List<String> messages(Level level) {
        return log.list.stream()
                .filter(e -> e.getLevel() == level)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    @Test
    void aRetryGoesOnlyToTheDispatchersThatDoNotHaveThePollAndAFailureIsLoggedOncePerState() throws Exception {
        // A real local-store that cannot write: its directory is a regular file.
        Path store = Files.writeString(tmp.resolve("store"), "not a directory");
        Recording graphite = new Recording();
        PollHandler handler = handler(
                List.of(new LocalStoreDispatcher(store), graphite),
                new Quarantine(tmp.resolve("quarantine"), 100, Long.MAX_VALUE));
        Path a = poll("1700000000");
        Path b = poll("1700000010");
        for (int retry = 0; retry < 3; retry++) {
            assertEquals(PollHandler.Outcome.RETRY, handler.handle(a).join());
            assertEquals(PollHandler.Outcome.RETRY, handler.handle(b).join());
        }
        assertEquals(List.of("1700000000", "1700000010"), graphite.polls, "each poll reached the other one once");
        assertEquals(1, messages(Level.ERROR).size(), "one ERROR for six failures: " + messages(Level.ERROR));
        assertTrue(
                messages(Level.ERROR).get(0).startsWith("local-store " + store + ": cannot deliver"),
                messages(Level.ERROR).toString());

        Files.delete(store); // the disk is fixed
        assertEquals(PollHandler.Outcome.DONE, handler.handle(a).join());
        assertEquals(PollHandler.Outcome.DONE, handler.handle(b).join());
        assertEquals(List.of("1700000000", "1700000010"), graphite.polls, "still once each");
        assertTrue(Files.isRegularFile(store.resolve("1700000000/stats")));
        assertFalse(Files.exists(a), "delivered everywhere: removed");
        assertEquals(
                List.of("local-store " + store + ": delivering again"),
                messages(Level.INFO).stream().filter(m -> m.contains("again")).toList());
    }

    @Test
    void quarantineKeepsAtMostItsBoundsRemovingTheOldestButNeverTheNewest() throws Exception {
        Path dir = tmp.resolve("quarantine");
        Quarantine byCount = new Quarantine(dir, 3, Long.MAX_VALUE);
        for (String name : List.of("1700000040", "1700000000", "1700000030", "1700000010", "1700000020")) {
            Path poll = Files.createDirectories(tmp.resolve("in").resolve(name));
            Files.writeString(poll.resolve("a.sock_stat"), "x".repeat(400));
            byCount.keep(poll);
        }
        // Kept in arrival order 40, 00, 30 (3); then 10 arrives: 00 (the oldest) goes; then 20: 10 goes.
        assertEquals(List.of("1700000020", "1700000030", "1700000040"), Entries.names(dir));
        assertEquals(2, messages(Level.WARN).size(), messages(Level.WARN).toString());

        Quarantine byBytes = new Quarantine(dir, 100, 1000);
        Path big = Files.createDirectories(tmp.resolve("in/1700000050"));
        Files.writeString(big.resolve("a.sock_stat"), "x".repeat(2000));
        byBytes.keep(big);
        assertEquals(List.of("1700000050"), Entries.names(dir), "alone over the bound, but the newest stays");
    }

    @Test
    void aPollIsSizedAgainstTheHeapBeforeItIsRead() throws Exception {
        long heap = 256L << 20;
        assertNull(PollBudget.heapCheck(List.of(26L << 20, 26L << 20, 1L << 20), 2, heap), "the large poll fits");
        String reason = PollBudget.heapCheck(List.of(50L << 20, 50L << 20, 50L << 20), 2, heap);
        assertTrue(reason.startsWith("too large for the heap: the 2 largest of 3 files are 104857600 bytes"), reason);
        assertNull(
                PollBudget.heapCheck(Collections.nCopies(64, 2L << 20), 2, heap),
                "many files, 128 MB in all: read a group at a time, they fit");
        assertTrue(
                PollBudget.heapCheck(List.of(40L << 20, 40L << 20), 2, heap) != null,
                "two files parsed at once would need about 4 times their 80 MB");

        // Through the handler: refused unread, quarantined with the reason, next to a normal poll.
        Recording graphite = new Recording();
        PollHandler handler =
                handler(List.of(graphite), new Quarantine(tmp.resolve("quarantine"), 100, Long.MAX_VALUE));
        Path huge = Files.createDirectories(tmp.resolve("incoming/1700000000"));
        long quarter = Runtime.getRuntime().maxMemory() / 4;
        for (String name : List.of("a.sock_stat", "b.sock_stat")) {
            try (FileChannel file =
                    FileChannel.open(huge.resolve(name), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                file.write(ByteBuffer.wrap(new byte[] {'#'}), quarter / 2 + 1); // sparse: no disk used
            }
        }
        assertEquals(PollHandler.Outcome.QUARANTINED, handler.handle(huge).join());
        assertEquals(List.of(), graphite.polls, "nothing read, nothing sent");
        assertTrue(
                messages(Level.ERROR).get(0).contains("too large for the heap"),
                messages(Level.ERROR).toString());
        assertEquals(
                PollHandler.Outcome.DONE, handler.handle(poll("1700000010")).join());
    }
}
