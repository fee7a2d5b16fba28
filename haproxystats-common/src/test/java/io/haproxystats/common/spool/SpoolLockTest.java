package io.haproxystats.common.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.cli.StartupFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool lock against another process holding it (util-linux's flock(1)), and its release. */
class SpoolLockTest {

    @TempDir
    Path tmp;

    @Test
    void aLockHeldByAnotherProcessIsRefusedNamingItsPidAndFreedWhenItEnds() throws Exception {
        Path file = tmp.resolve(SpoolLock.PULL);
        Process holder = new ProcessBuilder("flock", "-n", file.toString(), "sleep", "30").start();
        try {
            for (int i = 0; i < 100 && SpoolLock.owner(file).equals("unknown"); i++) {
                Thread.sleep(20);
            }
            StartupFailure e =
                    assertThrows(StartupFailure.class, () -> SpoolLock.acquire(tmp, SpoolLock.PULL, "[pull] dst-dir"));
            // flock(1) takes the lock, then runs sleep in the same process (fork, the parent waits):
            // the pid that holds the open description is flock's or its child's.
            assertTrue(
                    e.getMessage().startsWith("[pull] dst-dir " + tmp + " is in use by another instance (pid "),
                    e.getMessage());
            assertTrue(!e.getMessage().contains("pid unknown"), e.getMessage());
        } finally {
            // sleep inherited the locked descriptor: end it too, and wait for both to be gone.
            for (ProcessHandle child : holder.descendants().toList()) {
                child.destroy();
                child.onExit().get(10, TimeUnit.SECONDS);
            }
            holder.destroy();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
        try (SpoolLock lock = SpoolLock.acquire(tmp, SpoolLock.PULL, "[pull] dst-dir")) {
            assertTrue(Files.exists(file));
            assertEquals(String.valueOf(ProcessHandle.current().pid()), SpoolLock.owner(file));
        }
        // The puller's and the processor's locks in one directory (incoming/ is both) do not meet.
        try (SpoolLock pull = SpoolLock.acquire(tmp, SpoolLock.PULL, "[pull] dst-dir");
                SpoolLock process = SpoolLock.acquire(tmp, SpoolLock.PROCESS, "[process] src-dir")) {
            assertTrue(Files.exists(tmp.resolve(SpoolLock.PROCESS)));
        }
    }
}
