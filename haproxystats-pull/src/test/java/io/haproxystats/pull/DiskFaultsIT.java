package io.haproxystats.pull;

import static io.haproxystats.common.testing.Daemons.PULL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.testing.Daemons;
import io.haproxystats.common.testing.Entries;
import io.haproxystats.common.testing.HaproxyInstance;
import io.haproxystats.common.testing.TestConfig;
import io.haproxystats.common.testing.Wait;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults of the spool's file system, on a real small tmpfs (mounting needs root, as in CI; the
 * test is skipped with a message elsewhere): the puller executable polls two real HAProxy while
 * the file system fills up, then becomes read-only. Each fault fails polls with a clear error and
 * the daemon goes on; no partial directory ever lands in dst-dir; polls land again when the fault
 * is gone.
 */
class DiskFaultsIT {

    @TempDir
    Path tmp;

    private Path fs;
    private boolean mounted;

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            run("umount", "-l", fs.toString());
        }
    }

    @Test
    void diskFullAndReadOnlySpoolFailPollsCleanlyAndPollingResumesAfterwards() throws Exception {
        fs = Files.createDirectories(tmp.resolve("fs"));
        int mount = run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", fs.toString());
        Assumptions.assumeTrue(mount == 0, "cannot mount a tmpfs here (needs root): disk faults not tested");
        mounted = true;
        Path run = Files.createDirectories(tmp.resolve("run"));
        Path incoming = fs.resolve("incoming");
        try (HaproxyInstance a = HaproxyInstance.start(run, "a");
                HaproxyInstance b = HaproxyInstance.start(run, "b")) {
            Path conf = tmp.resolve("pull.conf");
            Files.writeString(conf, TestConfig.spool(fs, run) + "pull-timeout = 2\nqueue-size = 100000\n");
            Path log = tmp.resolve("pull.log");
            Process pull = Daemons.start(PULL, conf, log);
            try {
                Wait.until(Duration.ofSeconds(20), () -> Entries.count(incoming) >= 2, "2 polls landed");

                // Disk full: fill the file system; polls fail with ENOSPC, the daemon goes on.
                Path filler = fs.resolve("filler");
                fill(filler);
                Wait.until(Duration.ofSeconds(20), () -> logHas(log, "No space left on device"), "ENOSPC reported");
                Wait.until(
                        Duration.ofSeconds(20),
                        () -> countMatches(log, "No space left on device") >= 3,
                        "three polls failed on ENOSPC");
                assertTrue(pull.isAlive(), "still running while the disk is full");
                Files.delete(filler);
                long before = Entries.count(incoming);
                Wait.until(
                        Duration.ofSeconds(20),
                        () -> Entries.count(incoming) > before,
                        "a poll lands once space returns");

                // Read-only: polls fail with EROFS, then land again once it is writable.
                assertEquals(0, run("mount", "-o", "remount,ro", fs.toString()));
                Wait.until(Duration.ofSeconds(20), () -> logHas(log, "Read-only file system"), "EROFS reported");
                assertTrue(pull.isAlive(), "still running while the spool is read-only");
                assertEquals(0, run("mount", "-o", "remount,rw", fs.toString()));
                long beforeRw = Entries.count(incoming);
                Wait.until(
                        Duration.ofSeconds(20), () -> Entries.count(incoming) > beforeRw, "a poll lands once writable");
            } finally {
                pull.destroy();
                assertTrue(pull.waitFor(10, TimeUnit.SECONDS));
            }
            assertEquals(0, pull.exitValue(), Files.readString(log));
            List<String> incomplete = new ArrayList<>();
            for (Path poll : Entries.visible(incoming)) {
                List<String> files = names(poll);
                if (!files.equals(List.of("a.sock_info", "a.sock_stat", "b.sock_info", "b.sock_stat"))) {
                    incomplete.add(poll.getFileName() + " " + files);
                    continue;
                }
                for (String f : files) {
                    String text = Files.readString(poll.resolve(f), StandardCharsets.UTF_8);
                    if (!text.endsWith("\n\n") || text.length() < 100) {
                        incomplete.add(poll.getFileName() + "/" + f + " cut");
                    }
                }
            }
            assertEquals(List.of(), incomplete, "every directory in dst-dir is complete");
            assertEquals(List.of(), names(fs.resolve("incoming.tmp")), "nothing left in tmp-dst-dir");
            String text = Files.readString(log);
            text.lines()
                    .filter(l -> l.contains("No space left") || l.contains("Read-only"))
                    .limit(4)
                    .forEach(System.out::println); // the messages an operator sees, for docs/reliability.md
            assertTrue(
                    text.lines()
                            .filter(l -> l.contains("ERROR Poller")
                                    && (l.contains("No space left") || l.contains("Read-only")))
                            .allMatch(l -> l.contains("tmp-dst-dir") || l.contains("dst-dir")),
                    "each error says it is the spool's disk, not HAProxy: " + text);
            assertTrue(
                    !text.contains("Exception\n\tat ") && !text.contains("\tat io.haproxystats"),
                    "clear one-line errors, no stack traces: " + text);
        }
    }

    /** Writes until the file system is full. */
    private static void fill(Path filler) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    private static boolean logHas(Path log, String text) {
        return countMatches(log, text) > 0;
    }

    private static int countMatches(Path log, String text) {
        try {
            return Files.readString(log).split(Pattern.quote(text), -1).length - 1;
        } catch (IOException e) {
            return 0;
        }
    }

    private static List<String> names(Path dir) throws IOException {
        return Entries.names(dir);
    }
}
