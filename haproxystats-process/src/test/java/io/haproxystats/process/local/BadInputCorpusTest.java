package io.haproxystats.process.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.haproxystats.common.config.ProcessConfig;
import io.haproxystats.common.time.Clock;
import io.haproxystats.process.compute.MetricPaths;
import io.haproxystats.process.compute.PollComputation;
import io.haproxystats.process.delivery.FanOut;
import io.haproxystats.process.delivery.LocalStoreDispatcher;
import io.haproxystats.process.spool.Quarantine;
import io.haproxystats.process.testing.Fixtures;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Every file of the bad-input corpus (src/test/resources/bad-input, written by
 * src/test/python/bad_input_corpus.py), placed in a poll next to a valid instance's files: the
 * handler does not throw, logs one ERROR naming the file, the line and the reason, still sends the
 * valid instance's lines, and moves the poll, broken file intact, to quarantine.
 */
class BadInputCorpusTest {

    @TempDir
    Path tmp;

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger handlerLogger = (Logger) LoggerFactory.getLogger(PollHandler.class);

    @BeforeEach
    void captureLog() {
        log.start();
        handlerLogger.addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        handlerLogger.detachAppender(log);
    }

    static Path corpus() throws URISyntaxException {
        return Path.of(BadInputCorpusTest.class.getResource("/bad-input").toURI());
    }

    record Case(String file, String expected) {}

    static List<Case> cases() throws Exception {
        List<Case> cases = new ArrayList<>();
        for (String line : Files.readAllLines(corpus().resolve("cases.tsv"))) {
            if (!line.startsWith("#")) {
                String[] f = line.split("\t", 2);
                cases.add(new Case(f[0], f[1]));
            }
        }
        return cases;
    }

    @Test
    void theCorpusHasAtLeastTwentyBrokenFilesAndEveryFileIsACase() throws Exception {
        List<Case> cases = cases();
        assertTrue(cases.size() >= 20, "cases: " + cases.size());
        try (Stream<Path> files = Files.list(corpus())) {
            assertEquals(
                    cases.size(),
                    files.filter(p -> !p.getFileName().toString().equals("cases.tsv"))
                            .count());
        }
    }

    @TestFactory
    Stream<DynamicTest> eachBrokenFileIsLoggedAndItsPollQuarantinedWhileValidFilesAreStillSent() throws Exception {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.file(), () -> check(c)));
    }

    /** A valid instance's real files, next to which the broken one is put. */
    private static void addValidInstance(Path poll) throws IOException {
        Path good = Fixtures.small().resolve("1795224218");
        Files.copy(good.resolve("haproxy2.sock_info"), poll.resolve("haproxy2.sock_info"));
        Files.copy(good.resolve("haproxy2.sock_stat"), poll.resolve("haproxy2.sock_stat"));
    }

    /** The real handler with the fixture's configuration, local-store as its dispatcher; the log cleared. */
    private PollHandler handler(Path store, Path quarantine) {
        ProcessConfig config = Fixtures.smallConfig();
        PollComputation computation =
                new PollComputation(config.process(), new MetricPaths(config.graphite(), "lb-01"), Clock.system());
        log.list.clear();
        return new PollHandler(
                new PollReader(Optional.empty(), Optional.empty(), config.maxFileBytes()),
                computation,
                new FanOut(List.of(new LocalStoreDispatcher(store)), "retried"),
                new Quarantine(quarantine, 100, Long.MAX_VALUE),
                Runnable::run);
    }

    private void check(Case c) throws Exception {
        Path root = Files.createDirectories(tmp.resolve(c.file()));
        Path poll = Files.createDirectories(root.resolve("incoming/1700000000"));
        byte[] broken = Files.readAllBytes(corpus().resolve(c.file()));
        Files.write(poll.resolve(c.file()), broken);
        addValidInstance(poll);
        Path store = root.resolve("local-store");
        Path quarantine = root.resolve("quarantine");
        PollHandler handler = handler(store, quarantine);

        assertEquals(PollHandler.Outcome.QUARANTINED, handler.handle(poll).get());

        assertFalse(Files.exists(poll), "left incoming/");
        assertArrayEquals(
                broken,
                Files.readAllBytes(quarantine.resolve("1700000000").resolve(c.file())),
                "kept intact for inspection");
        List<String> errors = log.list.stream()
                .filter(e -> e.getLevel() == Level.ERROR)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
        String expected = c.file() + (c.expected().startsWith("line ") ? " " : "");
        assertTrue(
                errors.stream().anyMatch(e -> e.contains(expected) && e.contains(c.expected())),
                "an ERROR naming " + c.file() + " and '" + c.expected() + "': " + errors);
        assertTrue(
                errors.stream().anyMatch(e -> e.contains("kept for inspection in " + quarantine)), errors.toString());
        String sent = Files.readString(store.resolve("1700000000/stats"));
        boolean brokenIsStat = c.file().endsWith("_stat");
        // The valid instance's part that shares the broken file's kind is still there.
        assertTrue(sent.contains(brokenIsStat ? ".frontend." : ".daemon.CurrConns "), "valid files still sent");
        assertTrue(sent.contains(brokenIsStat ? ".daemon.CurrConns " : ".frontend."), "the other kind too");
    }

    @Test
    void aFileLargerThanThePullerEverWritesIsRefusedUnreadAndQuarantined() throws Exception {
        Path poll = Files.createDirectories(tmp.resolve("huge/incoming/1700000000"));
        addValidInstance(poll);
        try (RandomAccessFile f =
                new RandomAccessFile(poll.resolve("huge.sock_stat").toFile(), "rw")) {
            f.setLength(1L << 30); // 1 GB, sparse: no disk or memory used
        }
        Path quarantine = tmp.resolve("huge/quarantine");
        Path store = tmp.resolve("huge/local-store");
        PollHandler handler = handler(store, quarantine);

        assertEquals(PollHandler.Outcome.QUARANTINED, handler.handle(poll).get());
        List<String> errors = log.list.stream()
                .filter(e -> e.getLevel() == Level.ERROR)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
        assertTrue(
                errors.stream()
                        .anyMatch(e -> e.contains("huge.sock_stat: cannot read: 1073741824 bytes, more than "
                                + "[pull] buffer-limit (6291456): not an answer haproxystats-pull wrote; not read")),
                errors.toString());
        assertEquals(1L << 30, Files.size(quarantine.resolve("1700000000/huge.sock_stat")), "kept as it was");
        assertTrue(Files.readString(store.resolve("1700000000/stats")).contains(".frontend."), "the valid files sent");
    }
}
