package io.haproxystats.process;

import static io.haproxystats.common.testing.Daemons.PROCESS;
import static io.haproxystats.common.testing.Daemons.PULL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.testing.CarbonRelay;
import io.haproxystats.common.testing.Daemons;
import io.haproxystats.common.testing.Entries;
import io.haproxystats.common.testing.HaproxyInstance;
import io.haproxystats.common.testing.TestConfig;
import io.haproxystats.common.testing.Wait;
import io.haproxystats.process.testing.Fixtures;
import io.haproxystats.process.testing.GraphiteLines;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delivery that loses nothing, through both executables, real HAProxy instances and a real
 * carbon-c-relay: a relay outage, kill -9 of the processor (Graphite down, then mid-send), and
 * backpressure with tiny queues. The reference for "every line produced" is local-store, which
 * receives each poll's complete batch before Graphite does. Self metrics ({@code .haproxystats.})
 * differ between two computations of one poll and are left out of the comparison.
 */
class DeliveryIT {

    @TempDir
    Path tmp;

    Path run;
    Path spool;
    final List<AutoCloseable> closeables = new ArrayList<>();
    final List<Process> processes = new ArrayList<>();
    final List<CarbonRelay> relays = new ArrayList<>();

    @BeforeEach
    void haproxy() throws Exception {
        run = Files.createDirectories(tmp.resolve("run"));
        spool = tmp.resolve("spool");
        closeables.add(HaproxyInstance.start(run, "a"));
        closeables.add(HaproxyInstance.start(run, "b"));
    }

    @AfterEach
    void stopAll(TestInfo info) throws Exception {
        // Keep the daemons' logs for inspection after the temp directory is gone.
        Path keep = Files.createDirectories(Path.of(
                "target/delivery-logs", info.getTestMethod().orElseThrow().getName()));
        try (Stream<Path> files = Files.list(tmp)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                Files.copy(f, keep.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        for (Process p : processes) {
            p.destroyForcibly().waitFor();
        }
        for (CarbonRelay r : relays) {
            r.close();
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private Path config(int relayPort, int graphiteQueueSize, int pullQueueSize) throws IOException {
        Path conf = tmp.resolve("haproxystats.conf");
        Files.writeString(
                conf, TestConfig.spool(spool, run) + """
                queue-size = %d
                [process]
                src-dir = ${paths:base-dir}/incoming
                workers = 2
                [graphite]
                port = %d
                namespace = lb
                prefix-hostname = false
                retries = 1
                interval = 0.1
                delay = 0.5
                queue-size = %d
                [local-store]
                dir = ${paths:base-dir}/local-store
                """.formatted(pullQueueSize, relayPort, graphiteQueueSize));
        return conf;
    }

    /** Started through the harness, and killed after the test if still running. */
    private Process start(Path exe, Path conf, String log) throws IOException {
        Process p = Daemons.start(exe, conf, tmp.resolve(log));
        processes.add(p);
        return p;
    }

    private CarbonRelay relay(int port) throws Exception {
        CarbonRelay r = CarbonRelay.start(tmp, port);
        relays.add(r);
        return r;
    }

    /** "path timestamp" to value for every data line (self metrics left out). */
    private static Map<String, String> dataLines(List<String> lines) {
        Map<String, String> out = new TreeMap<>();
        for (GraphiteLines.Line l : GraphiteLines.lines(lines)) {
            if (!l.isSelf()) {
                out.put(l.path() + " " + l.timestamp(), l.value());
            }
        }
        return out;
    }

    private Map<String, Map<String, String>> produced() {
        Map<String, Map<String, String>> polls = new TreeMap<>();
        Path store = spool.resolve("local-store");
        if (!Files.isDirectory(store)) {
            return polls;
        }
        try (Stream<Path> dirs = Files.list(store)) {
            for (Path d : dirs.toList()) {
                Path stats = d.resolve("stats");
                if (Files.exists(stats)) {
                    polls.put(d.getFileName().toString(), dataLines(Files.readAllLines(stats)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return polls;
    }

    private Map<String, String> delivered() {
        List<String> all = new ArrayList<>();
        try {
            for (CarbonRelay r : relays) {
                all.addAll(r.lines());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dataLines(all);
    }

    private long incoming() {
        try {
            return Entries.visible(spool.resolve("incoming")).size();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Polls whose every line reached the relay (with the same value), out of those produced. */
    private Set<String> complete() {
        Map<String, String> got = delivered();
        Set<String> done = new TreeSet<>();
        produced().forEach((poll, lines) -> {
            if (lines.entrySet().stream().allMatch(e -> e.getValue().equals(got.get(e.getKey())))) {
                done.add(poll);
            }
        });
        return done;
    }

    /** Per incomplete poll: lines missing at the relay, and one example. */
    private String missing() {
        Map<String, String> got = delivered();
        StringBuilder b = new StringBuilder();
        produced().forEach((poll, lines) -> {
            List<String> absent = lines.entrySet().stream()
                    .filter(e -> !e.getValue().equals(got.get(e.getKey())))
                    .map(e -> e.getKey() + "=" + e.getValue() + " got " + got.get(e.getKey()))
                    .toList();
            if (!absent.isEmpty()) {
                b.append(poll)
                        .append(": ")
                        .append(absent.size())
                        .append(" of ")
                        .append(lines.size())
                        .append(" missing, e.g. ")
                        .append(absent.get(0))
                        .append("; ");
            }
        });
        return b.toString();
    }

    private static int lineCount(Map<String, Map<String, String>> polls) {
        return polls.values().stream().mapToInt(Map::size).sum();
    }

    private void report(String test, Set<String> dropped) {
        Map<String, Map<String, String>> produced = produced();
        Map<String, String> got = delivered();
        long deliveredLines = produced.entrySet().stream()
                .filter(e -> !dropped.contains(e.getKey()))
                .flatMap(e -> e.getValue().entrySet().stream())
                .filter(e -> e.getValue().equals(got.get(e.getKey())))
                .count();
        long expectedLines = produced.entrySet().stream()
                .filter(e -> !dropped.contains(e.getKey()))
                .mapToLong(e -> e.getValue().size())
                .sum();
        System.out.printf(
                "%s: polls produced %d, dropped under the documented bound %d; data lines delivered %d of %d%n",
                test, produced.size(), dropped.size(), deliveredLines, expectedLines);
        assertEquals(
                expectedLines,
                deliveredLines,
                test + ": every line of every poll not dropped reached the relay; " + missing());
    }

    /**
     * Once 2 polls arrived, kills the relay between polls (when everything produced so far has
     * arrived), so that the outage, not the kill, decides what is delivered.
     */
    private void startOutage(CarbonRelay relay) throws InterruptedException {
        Wait.until(Duration.ofSeconds(30), () -> complete().size() >= 2, "2 polls delivered before the outage");
        Wait.until(Duration.ofSeconds(10), () -> complete().size() == produced().size(), "relay caught up");
        relay.kill();
    }

    @Test
    void aRelayOutageOfSeveralPollsLosesNothing() throws Exception {
        int port = HaproxyInstance.freePort();
        CarbonRelay first = relay(port);
        Path conf = config(port, 1_000_000, 360);
        Process process = start(PROCESS, conf, "process.log");
        Process pull = start(PULL, conf, "pull.log");
        startOutage(first);
        long outageStart = System.nanoTime();
        Wait.until(Duration.ofSeconds(60), () -> incoming() >= 15, "15 polls waiting in incoming/ during the outage");
        relay(port);
        long outageSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - outageStart);
        Wait.until(Duration.ofSeconds(30), () -> incoming() == 0, "incoming/ drained after the outage");
        Daemons.stop(pull);
        try {
            Wait.until(
                    Duration.ofSeconds(30),
                    () -> incoming() == 0 && complete().size() == produced().size(),
                    "every poll delivered");
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + missing(), e);
        }
        Daemons.stop(process);
        System.out.println("relay outage of " + outageSeconds + " s");
        report("outage", Set.of());
        assertTrue(produced().size() >= 8);
        String log = Files.readString(tmp.resolve("process.log"));
        assertTrue(log.contains("connection lost") || log.contains("cannot connect"), "the loss is logged");
        assertTrue(log.contains("reconnected"), log);
    }

    @Test
    void killDashNineWhileGraphiteIsDownAndWhileSendingLosesNothing() throws Exception {
        int port = HaproxyInstance.freePort(); // no relay yet: Graphite is down
        Path conf = config(port, 1_000_000, 360);
        Process process = start(PROCESS, conf, "process.log");
        Process pull = start(PULL, conf, "pull.log");
        Wait.until(Duration.ofSeconds(30), () -> produced().size() >= 4, "4 polls computed while Graphite is down");
        process.destroyForcibly().waitFor(); // kill -9 with lines queued in memory
        Daemons.stop(pull);
        long waiting = incoming();
        assertTrue(waiting >= 4, "every undelivered poll is still on disk: " + waiting);
        // A larger backlog, so that the next kill lands while it is being sent.
        for (int i = 0; i < 200; i++) {
            landCapture(Integer.toString(1_700_000_000 + i));
        }
        CarbonRelay relay = relay(port);
        process = start(PROCESS, conf, "process.log");
        Wait.until(
                Duration.ofSeconds(30),
                () -> {
                    try {
                        return !relay.lines().isEmpty();
                    } catch (IOException e) {
                        return false;
                    }
                },
                "the first lines reach the relay");
        process.destroyForcibly().waitFor(); // kill -9 mid-send
        long left = incoming();
        System.out.println("kill -9 mid-send left " + left + " of " + (waiting + 200) + " polls in incoming/");
        assertTrue(left > 0, "the kill landed before everything was sent");
        process = start(PROCESS, conf, "process.log");
        Wait.until(Duration.ofSeconds(60), () -> incoming() == 0, "incoming/ drained after the restart");
        Wait.until(Duration.ofSeconds(30), () -> complete().size() == produced().size(), "every poll at the relay");
        Daemons.stop(process);
        report("kill -9", Set.of());
        assertEquals(waiting + 200, produced().size());
    }

    /**
     * The processor killed (-9) and restarted 8 times while polls keep arriving: every poll the
     * puller landed is in local-store exactly once (one complete file per poll) and reached the
     * relay at least once; a poll sent twice has the same values both times.
     */
    @Test
    void theProcessorKilledAndRestartedInALoopWhilePollsArriveLosesNoPoll() throws Exception {
        int port = HaproxyInstance.freePort();
        CarbonRelay relay = relay(port);
        Path conf = config(port, 1_000_000, 360);
        Process pull = start(PULL, conf, "pull.log");
        Random random = new Random(42);
        for (int i = 0; i < 8; i++) {
            Process process = start(PROCESS, conf, "process.log");
            Thread.sleep(600 + random.nextInt(1400)); // test pacing, not an assertion: kills land at varied points
            process.destroyForcibly().waitFor();
        }
        int before = produced().size();
        Process process = start(PROCESS, conf, "process.log");
        Wait.until(
                Duration.ofSeconds(30),
                () -> produced().size() >= before + 2,
                "polls processed after the last restart");
        Daemons.stop(pull);
        Wait.until(Duration.ofSeconds(60), () -> incoming() == 0, "incoming/ drained");
        Wait.until(Duration.ofSeconds(30), () -> complete().size() == produced().size(), "every poll at the relay");
        Daemons.stop(process);

        Set<String> landed = new TreeSet<>();
        Matcher m = Pattern.compile("poll (\\d+): done").matcher(log("pull.log"));
        while (m.find()) {
            landed.add(m.group(1));
        }
        assertTrue(landed.size() >= 8, "polls landed during the kill loop: " + landed.size());
        assertEquals(landed, produced().keySet(), "every landed poll in local-store, none twice, none invented");
        try (Stream<Path> files = Files.walk(spool.resolve("local-store"))) {
            assertEquals(
                    List.of(),
                    files.filter(f -> f.getFileName().toString().startsWith("."))
                            .toList(),
                    "no half-written local-store file left");
        }
        Map<String, Set<String>> values = new TreeMap<>();
        for (GraphiteLines.Line l : GraphiteLines.lines(relay.lines())) {
            if (!l.isSelf()) {
                values.computeIfAbsent(l.path() + " " + l.timestamp(), k -> new TreeSet<>())
                        .add(l.value());
            }
        }
        assertEquals(
                List.of(),
                values.entrySet().stream()
                        .filter(e -> e.getValue().size() > 1)
                        .limit(5)
                        .toList(),
                "a poll sent more than once carries the same values");
        report("kill loop", Set.of());
        System.out.println("kill loop: " + landed.size() + " polls landed, 8 kills, "
                + log("process.log").lines().filter(l -> l.contains("starting")).count() + " processor starts");
    }

    /**
     * Clock jumps: poll directories named before the last processed one and far in the future are
     * processed like any other, in arrival order, never skipped as stale or early.
     */
    @Test
    void pollsNamedInThePastOrTheFutureAreProcessedNotSkipped() throws Exception {
        int port = HaproxyInstance.freePort();
        CarbonRelay relay = relay(port);
        Path conf = config(port, 1_000_000, 360);
        Files.createDirectories(spool.resolve("incoming"));
        Files.createDirectories(spool.resolve("incoming.tmp"));
        Process process = start(PROCESS, conf, "process.log");
        for (String name : List.of("1795224218", "1000000000", "4102444800")) {
            landCapture(name);
            Wait.until(Duration.ofSeconds(30), () -> incoming() == 0, name + " processed");
        }
        Wait.until(Duration.ofSeconds(30), () -> complete().size() == 3, "the three polls at the relay");
        Daemons.stop(process);
        assertEquals(
                Set.of("1000000000", "1795224218", "4102444800"), produced().keySet());
        assertTrue(relay.lines().stream().anyMatch(l -> l.endsWith(" 1000000000")), "past timestamp sent as it is");
        assertTrue(relay.lines().stream().anyMatch(l -> l.endsWith(" 4102444800")), "future timestamp sent as it is");
    }

    @Test
    void tinyQueuesHoldPollsInIncomingSuspendThePullerAndDropOnlyOldestWithALogLine() throws Exception {
        int port = HaproxyInstance.freePort();
        CarbonRelay first = relay(port);
        // A poll of 2 small instances is a few hundred lines: the Graphite queue holds one poll.
        Path conf = config(port, 50, 4);
        Process process = start(PROCESS, conf, "process.log");
        Process pull = start(PULL, conf, "pull.log");
        startOutage(first);
        long[] most = {0};
        Wait.until(
                Duration.ofSeconds(40),
                () -> {
                    most[0] = Math.max(most[0], incoming());
                    return log("process.log").contains("dropped the oldest waiting poll");
                },
                "both bounds exhausted: the processor drops the oldest poll");
        for (int i = 0; i < 100; i++) {
            most[0] = Math.max(most[0], incoming());
            Thread.sleep(20);
        }
        // It reaches 4 only for the moment between a poll's arrival and the next drop (at most 1 s).
        assertTrue(
                most[0] >= 3 && most[0] <= 4,
                "incoming/ grew while Graphite was down, never past [pull]" + " queue-size: most seen " + most[0]);
        // With the processor stopped as well, the puller suspends at its own bound.
        Daemons.stop(process);
        Wait.until(
                Duration.ofSeconds(20),
                () -> log("pull.log").contains("skipping poll: 4 directories wait in dst-dir," + " queue-size is 4"),
                "the puller suspends");
        relay(port);
        process = start(PROCESS, conf, "process.log");
        Wait.until(Duration.ofSeconds(30), () -> incoming() == 0, "incoming/ drained after the outage");
        int before = produced().size();
        Wait.until(Duration.ofSeconds(30), () -> produced().size() > before + 1, "polling resumed");
        Daemons.stop(pull);
        Wait.until(Duration.ofSeconds(30), () -> incoming() == 0, "incoming/ drained");
        Daemons.stop(process);
        Set<String> dropped = new TreeSet<>();
        long droppedLines = 0;
        Matcher m = Pattern.compile("dropped the oldest waiting poll (\\d+) \\((\\d+) lines")
                .matcher(log("process.log"));
        while (m.find()) {
            dropped.add(m.group(1));
            droppedLines += Long.parseLong(m.group(2));
        }
        System.out.println(
                "backpressure: " + dropped.size() + " polls (" + droppedLines + " lines) dropped, each logged");
        Wait.until(
                Duration.ofSeconds(30),
                () -> {
                    Set<String> done = complete();
                    return produced().keySet().stream().allMatch(p -> done.contains(p) || dropped.contains(p));
                },
                "every poll not dropped at the relay");
        report("backpressure", dropped);
        Set<String> complete = complete();
        for (String poll : produced().keySet()) {
            assertTrue(complete.contains(poll) || dropped.contains(poll), poll + " delivered or reported dropped");
        }
    }

    /** The real capture's poll, landed in incoming/ as the puller lands one (built aside, renamed in). */
    private void landCapture(String name) throws IOException {
        Path poll = Files.createDirectories(spool.resolve("incoming.tmp").resolve(name));
        try (Stream<Path> files = Files.list(Fixtures.small().resolve("1795224218"))) {
            for (Path f : files.toList()) {
                Files.copy(f, poll.resolve(f.getFileName()));
            }
        }
        Files.move(poll, spool.resolve("incoming").resolve(name));
    }

    private String log(String name) {
        try {
            return Files.readString(tmp.resolve(name));
        } catch (IOException e) {
            return "";
        }
    }
}
