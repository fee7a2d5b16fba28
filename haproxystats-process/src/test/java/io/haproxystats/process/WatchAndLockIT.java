package io.haproxystats.process;

import static io.haproxystats.common.testing.Daemons.PROCESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.haproxystats.common.testing.Daemons;
import io.haproxystats.common.testing.Entries;
import io.haproxystats.common.testing.Wait;
import io.haproxystats.process.testing.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The haproxystats-process executable where it could go quiet or corrupt data: src-dir removed
 * and recreated under it (polls piled up unseen), a second processor on the same src-dir (polls
 * sent twice with partial sums), and the launcher's promise to end a JVM that ran out of heap.
 * Polls are the real captures of the fixture; local-store is the dispatcher that shows what was
 * processed (Graphite points at a closed port: delivery to it is not what is tested here).
 */
class WatchAndLockIT {

    @TempDir
    Path tmp;

    Process first;

    @AfterEach
    void stop() throws InterruptedException {
        if (first != null) {
            first.destroyForcibly().waitFor();
        }
    }

    private Path config() throws IOException {
        Path conf = tmp.resolve("process.conf");
        Files.writeString(conf, """
                [paths]
                base-dir = %s
                [process]
                src-dir = ${paths:base-dir}/incoming
                liveness-check-interval = 0.5
                [graphite]
                port = 1
                [local-store]
                dir = ${paths:base-dir}/store
                """.formatted(tmp));
        return conf;
    }

    /** Lands a copy of a real poll in src-dir the way the puller does: written aside, renamed in. */
    private void land(String name) throws IOException {
        Path aside = Files.createDirectories(tmp.resolve("aside").resolve(name));
        Path real = Fixtures.small().resolve("1795224218");
        for (Path f : Entries.visible(real)) {
            Files.copy(f, aside.resolve(f.getFileName()));
        }
        Files.move(aside, tmp.resolve("incoming").resolve(name));
    }

    private boolean stored(String poll) {
        return Files.isRegularFile(tmp.resolve("store").resolve(poll).resolve("stats"));
    }

    @Test
    void aSrcDirRemovedAndRecreatedUnderTheProcessorIsWatchedAgain() throws Exception {
        Path conf = config();
        first = Daemons.start(PROCESS, conf, tmp.resolve("process.log"));
        Path incoming = tmp.resolve("incoming");
        Wait.until(Duration.ofSeconds(20), () -> Files.isDirectory(incoming), "src-dir created");
        land("1700000000");
        Wait.until(Duration.ofSeconds(20), () -> stored("1700000000"), "the first poll processed");

        // rm -rf incoming && mkdir incoming: the watch was left on the deleted directory.
        new ProcessBuilder("rm", "-rf", incoming.toString()).inheritIO().start().waitFor();
        Files.createDirectory(incoming);
        land("1700000010");
        land("1700000020");
        Wait.until(
                Duration.ofSeconds(20),
                () -> stored("1700000010") && stored("1700000020"),
                "polls in the new src-dir processed");
        assertTrue(first.isAlive());
        String log = Files.readString(tmp.resolve("process.log"), StandardCharsets.UTF_8);
        assertTrue(
                log.contains("[process] src-dir " + incoming + " was replaced while being watched; watching it anew")
                        || log.contains(
                                "[process] src-dir " + incoming + " was removed (recreated now) while being watched"),
                log);
        first.destroy();
        assertTrue(first.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, first.exitValue(), log);
    }

    @Test
    void aSecondProcessorOnTheSameSrcDirRefusesToStartNamingTheFirst() throws Exception {
        Path conf = config();
        first = Daemons.start(PROCESS, conf, tmp.resolve("first.log"));
        Wait.until(
                Duration.ofSeconds(20),
                () -> Files.exists(tmp.resolve("incoming/.haproxystats-process.lock")),
                "the first processor holds src-dir");
        Process second = Daemons.start(PROCESS, conf, tmp.resolve("second.log"));
        assertTrue(second.waitFor(30, TimeUnit.SECONDS));
        String out = Files.readString(tmp.resolve("second.log"), StandardCharsets.UTF_8);
        assertEquals(1, second.exitValue(), out);
        assertTrue(
                out.contains("haproxystats-process: [process] src-dir " + tmp.resolve("incoming")
                        + " is in use by another instance (pid " + first.pid() + ", lock file "),
                out);
        land("1700000000");
        Wait.until(Duration.ofSeconds(20), () -> stored("1700000000"), "the first goes on");
    }

    @Test
    void theLauncherEndsAJvmThatRanOutOfHeapWhateverTheOperatorsJvmOptions() throws Exception {
        first = Daemons.start(
                PROCESS, config(), tmp.resolve("process.log"), Map.of("HAPROXYSTATS_JAVA_OPTS", "-Xmx96m"));
        Wait.until(
                Duration.ofSeconds(20),
                () -> Files.exists(tmp.resolve("incoming/.haproxystats-process.lock")),
                "started");
        String cmdline = Files.readString(Path.of("/proc", Long.toString(first.pid()), "cmdline"))
                .replace('\0', ' ');
        assertTrue(cmdline.contains(" -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED "), cmdline);
        assertTrue(cmdline.contains(" -Xmx96m "), cmdline);
        // jnr's native code is allowed explicitly, and on JDK 24+ classgraph's (Tablesaw's) use of
        // sun.misc.Unsafe: a start and a poll print no JVM WARNING line.
        land("1700000000");
        Wait.until(Duration.ofSeconds(20), () -> stored("1700000000"), "a poll processed");
        String log = Files.readString(tmp.resolve("process.log"), StandardCharsets.UTF_8);
        assertEquals(
                List.of(), log.lines().filter(l -> l.startsWith("WARNING:")).toList(), log);
    }

    @Test
    void aCleanRunThatProcessedPollsTrainsTheAotCacheAndTheNextStartUsesIt() throws Exception {
        assumeTrue(Runtime.version().feature() >= 25, "the AOT cache needs JDK 25 (the launcher finds this JDK)");
        Path aot = tmp.resolve("aot");
        Map<String, String> env = Map.of("HAPROXYSTATS_AOT_DIR", aot.toString());
        Path log = tmp.resolve("train.log");
        first = Daemons.start(PROCESS, config(), log, env);
        Daemons.awaitLog(log, "starting", Duration.ofSeconds(20));
        assertTrue(cmdline(first).contains(" -XX:AOTCacheOutput=" + aot), cmdline(first));
        land("1700000000");
        Wait.until(Duration.ofSeconds(30), () -> stored("1700000000"), "a poll processed");
        Daemons.stop(first);
        List<String> written = Entries.names(aot);
        assertEquals(2, written.size(), written.toString());
        assertTrue(written.get(0).endsWith(".aot") && written.get(1).endsWith(".aot.ok"), written.toString());

        Path again = tmp.resolve("again.log");
        first = Daemons.start(PROCESS, config(), again, env);
        Daemons.awaitLog(again, "starting", Duration.ofSeconds(20));
        assertTrue(cmdline(first).contains(" -XX:AOTCache=" + aot.resolve(written.get(0))), cmdline(first));
        land("1700000010");
        Wait.until(Duration.ofSeconds(30), () -> stored("1700000010"), "a poll processed with the cache");
        Daemons.stop(first);
        first = null;
        String output = Daemons.read(again);
        assertEquals(
                List.of(),
                output.lines()
                        .filter(l -> l.contains("[warning]") || l.startsWith("WARNING:"))
                        .toList(),
                output);
    }

    private static String cmdline(Process p) throws IOException {
        return Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline"))
                .replace('\0', ' ');
    }
}
