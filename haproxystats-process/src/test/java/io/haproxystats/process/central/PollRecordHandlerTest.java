package io.haproxystats.process.central;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.haproxystats.common.config.ConfigLoader;
import io.haproxystats.common.config.ProcessConfig;
import io.haproxystats.common.logs.LogTimers;
import io.haproxystats.common.logs.LogTimersFile;
import io.haproxystats.common.logs.Timer;
import io.haproxystats.common.time.ManualClock;
import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.delivery.Dispatcher;
import io.haproxystats.process.delivery.FanOut;
import io.haproxystats.process.delivery.LocalStoreDispatcher;
import io.haproxystats.process.kafka.PollContainer;
import io.haproxystats.process.kafka.PollRecord;
import io.haproxystats.process.spool.Quarantine;
import io.haproxystats.process.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A central processor's handling of one record, without a broker: the lines of a poll carry the
 * record key's name, and a failure no peer can produce (a dispatcher that throws) keeps the record
 * in quarantine and lets the partition go on instead of stopping on it at every restart.
 */
class PollRecordHandlerTest {

    @TempDir
    Path tmp;

    private PollRecordHandler handler(List<Dispatcher> dispatchers) throws Exception {
        return handler(dispatchers, "");
    }

    private PollRecordHandler handler(List<Dispatcher> dispatchers, String extra) throws Exception {
        Path conf = Files.writeString(tmp.resolve("central.conf"), """
                [paths]
                base-dir = %s
                [graphite]
                namespace = lb
                """.formatted(tmp) + extra);
        ProcessConfig config = ProcessConfig.from(ConfigLoader.load(conf, null));
        return new PollRecordHandler(
                config.process(),
                config.graphite(),
                new FanOut(dispatchers, "fetched again"),
                new Quarantine(tmp.resolve("quarantine"), 100, 1L << 30),
                config.maxFileBytes(),
                new ManualClock(Instant.ofEpochSecond(1795224230)),
                config.cluster(),
                null);
    }

    private static ConsumerRecord<byte[], byte[]> record(String lb, String poll) throws Exception {
        return record(lb, poll, poll, 42);
    }

    /** A record named {@code poll} holding the files of the fixture poll {@code files}, at {@code offset}. */
    private static ConsumerRecord<byte[], byte[]> record(String lb, String poll, String files, long offset)
            throws Exception {
        return record(lb, poll, readFiles(files), offset);
    }

    /** A record named {@code poll} holding {@code contents}, at {@code offset}. */
    private static ConsumerRecord<byte[], byte[]> record(
            String lb, String poll, SortedMap<String, byte[]> contents, long offset) throws Exception {
        PollContainer.Compressed c = PollContainer.compress(contents);
        RecordHeaders h = new RecordHeaders();
        h.add(PollRecord.FORMAT_HEADER, "1".getBytes(StandardCharsets.US_ASCII));
        h.add(PollRecord.POLL_HEADER, poll.getBytes(StandardCharsets.US_ASCII));
        h.add(PollRecord.SIZE_HEADER, Long.toString(c.size()).getBytes(StandardCharsets.US_ASCII));
        return new ConsumerRecord<>(
                "haproxystats.polls",
                3,
                offset,
                0L,
                TimestampType.CREATE_TIME,
                -1,
                -1,
                lb.getBytes(StandardCharsets.UTF_8),
                c.value(),
                h,
                java.util.Optional.empty());
    }

    private static SortedMap<String, byte[]> readFiles(String poll) throws Exception {
        SortedMap<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(Fixtures.small().resolve(poll))) {
            for (Path p : s.toList()) {
                files.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return files;
    }

    /** A dispatcher that keeps what it is given. */
    private static final class Keeping implements Dispatcher {
        final List<MetricBatch> batches = new ArrayList<>();

        @Override
        public String name() {
            return "keeping";
        }

        @Override
        public CompletableFuture<Void> submit(MetricBatch batch) {
            batches.add(batch);
            return CompletableFuture.completedFuture(null);
        }
    }

    @Test
    void thePollsLinesCarryTheRecordsLoadBalancer() throws Exception {
        Keeping keeping = new Keeping();
        CompletableFuture<Void> done = handler(List.of(keeping)).handle(record("lb7.example.net", "1795224218"));
        done.join();
        assertEquals(1, keeping.batches.size());
        List<String> lines = keeping.batches.get(0).text().lines().toList();
        assertTrue(lines.size() > 100, lines.size() + " lines");
        for (String line : lines) {
            assertTrue(line.startsWith("lb.lb7_example_net.haproxy.") && line.endsWith(" 1795224218"), line);
        }
    }

    /**
     * Two edges publishing under one name (issue 27, item 5): the same poll with other values is
     * said once, naming both records; the same record again (a resend) is not a second source.
     */
    @Test
    void aLoadBalancerNameFromTwoSourcesIsSaidOnceNamingBoth() throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(PollRecordHandler.class);
        log.start();
        logger.addAppender(log);
        try {
            PollRecordHandler handler = handler(List.of(new Keeping()));
            handler.handle(record("lb1", "1795224218", "1795224218", 10)).join();
            handler.handle(record("lb1", "1795224218", "1795224218", 11)).join(); // sent again: same bytes
            handler.handle(record("lb2", "1795224218", "1795224228", 12)).join(); // another name: fine
            assertEquals(List.of(), warnings(log));
            handler.handle(record("lb1", "1795224218", "1795224228", 13)).join(); // same name and poll, other values
            handler.handle(record("lb1", "1795224228", "1795224228", 14)).join();
            handler.handle(record("lb1", "1795224228", "1795224218", 15)).join(); // again: said once already
            assertEquals(
                    List.of(
                            "load balancer lb1: poll 1795224218 came twice with different values (haproxystats.polls-3@11"
                                    + " and haproxystats.polls-3@13): two edges publish under one name (give each its own"
                                    + " [kafka] host), or its puller named two polls alike; Graphite keeps whichever"
                                    + " came last"),
                    warnings(log));
        } finally {
            logger.detachAppender(log);
        }
    }

    /** A load balancer named cluster writes where a cluster named haproxy would (issue 27, item 8): said. */
    @Test
    void aLoadBalancerNamedClusterIsSaid() throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(PollRecordHandler.class);
        log.start();
        logger.addAppender(log);
        try {
            PollRecordHandler handler = handler(List.of(new Keeping()));
            handler.handle(record("cluster", "1795224218", "1795224218", 10)).join();
            handler.handle(record("cluster", "1795224228", "1795224228", 11)).join();
            assertEquals(
                    List.of("load balancer cluster writes under lb.cluster.haproxy, where the cluster lines of a"
                            + " cluster named 'haproxy' go: rename it ([kafka] host at its edge)"),
                    warnings(log));
        } finally {
            logger.detachAppender(log);
        }
    }

    private static List<String> warnings(ListAppender<ILoggingEvent> log) {
        return log.list.stream()
                .filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    @Test
    void aRecordsLogTimersGiveTimerLinesUnderItsNameWhateverBufferLimitSays() throws Exception {
        LogTimers timers = new LogTimers();
        timers.addCounters(new LogTimers.Counters(3, 3, 0, 0, 0));
        for (long v : new long[] {5, 20, 400}) {
            timers.stats(LogTimers.Series.server("be_app", "web1"), Timer.Tr).record(v);
        }
        SortedMap<String, byte[]> files = new TreeMap<>();
        files.put("log_timers", LogTimersFile.format(timers).getBytes(StandardCharsets.US_ASCII));
        assertTrue(files.get("log_timers").length > 100, "larger than the buffer-limit below");
        Keeping keeping = new Keeping();
        handler(List.of(keeping), "[pull]\nbuffer-limit = 100\n")
                .handle(record("lb7", "1795224218", files, 42))
                .join();
        List<String> lines = keeping.batches.get(0).text().lines().toList();
        assertTrue(
                lines.contains("lb.lb7.haproxy.backend.be_app.server.web1.timers.Tr.count 3 1795224218"),
                lines.toString());
        assertTrue(lines.contains("lb.lb7.haproxy.backend.be_app.server.web1.timers.Tr.max 400 1795224218"));
        assertTrue(lines.contains("lb.lb7.haproxy.haproxystats.LogLinesUnparsed 0 1795224218"));
    }

    @Test
    void aFailureNoPeerMakesKeepsTheRecordAndLetsThePartitionGoOn() throws Exception {
        Dispatcher broken = new Dispatcher() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public CompletableFuture<Void> submit(MetricBatch batch) {
                throw new IllegalStateException("a bug in a dispatcher");
            }
        };
        CompletableFuture<Void> done = handler(List.of(broken)).handle(record("lb7", "1795224228"));
        done.join(); // completes normally: the partition goes on
        Path kept = tmp.resolve("quarantine/0.kafka-haproxystats.polls-3-42");
        assertEquals(
                List.of(
                        "record haproxystats.polls-3@42, key lb7",
                        "failed unexpectedly (a bug; the stack trace is in the log): java.lang.IllegalStateException: "
                                + "a bug in a dispatcher"),
                Files.readAllLines(kept.resolve("REASON")));
        assertTrue(Files.size(kept.resolve("record.value")) > 0, "the record's value kept");
    }

    @Test
    void aRecordFetchedAgainGoesOnlyToTheDispatchersThatDoNotHaveItYet() throws Exception {
        Keeping keeping = new Keeping();
        List<String> failed = new ArrayList<>();
        Dispatcher failing = new Dispatcher() {
            @Override
            public String name() {
                return "failing";
            }

            @Override
            public CompletableFuture<Void> submit(MetricBatch batch) {
                failed.add(batch.timestamp());
                return CompletableFuture.failedFuture(new java.io.IOException("disk full"));
            }
        };
        PollRecordHandler handler = handler(List.of(keeping, failing));
        ConsumerRecord<byte[], byte[]> record = record("lb7", "1795224218");
        for (int fetch = 0; fetch < 3; fetch++) {
            CompletableFuture<Void> done = handler.handle(record);
            assertThrows(CompletionException.class, done::join, "not delivered: fetched again");
        }
        assertEquals(3, failed.size(), "the failing dispatcher gets every retry");
        assertEquals(1, keeping.batches.size(), "the one that delivered it gets it once");
    }

    @Test
    void twoLoadBalancersPollsOfOneEpochKeepALocalStoreFileEach() throws Exception {
        Path store = tmp.resolve("store");
        PollRecordHandler handler = handler(List.of(new LocalStoreDispatcher(store)));
        handler.handle(record("lbA", "1795224218")).join();
        handler.handle(record("lbB.example.net", "1795224218")).join();
        List<String> a = Files.readAllLines(store.resolve("1795224218/lbA/stats"));
        List<String> b = Files.readAllLines(store.resolve("1795224218/lbB_example_net/stats"));
        assertTrue(a.size() > 100 && a.stream().allMatch(l -> l.startsWith("lb.lbA.haproxy.")), a.get(0));
        assertTrue(b.size() > 100 && b.stream().allMatch(l -> l.startsWith("lb.lbB_example_net.haproxy.")), b.get(0));
    }
}
