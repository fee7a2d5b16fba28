package io.haproxystats.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.testing.CarbonRelay;
import io.haproxystats.common.testing.Daemons;
import io.haproxystats.common.testing.Entries;
import io.haproxystats.common.testing.HaproxyInstance;
import io.haproxystats.common.testing.TestConfig;
import io.haproxystats.common.testing.Wait;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Security: both executables started under {@code umask 000} (the worst an operator's shell can
 * have) create nothing group- or world-writable: spool directories, poll files, status files,
 * local-store, quarantine. A world-writable configuration file is warned about by both.
 */
class CreatedFilesIT {

    @TempDir
    Path tmp;

    @Test
    void underUmask000NothingCreatedIsGroupOrWorldWritableAndAWorldWritableConfigIsWarned() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Path base = tmp.resolve("base");
        try (HaproxyInstance a = HaproxyInstance.start(run, "a");
                CarbonRelay relay = CarbonRelay.start(tmp)) {
            Path conf = tmp.resolve("haproxystats.conf");
            Files.writeString(conf, TestConfig.spool(base, run) + """
                    [process]
                    src-dir = ${paths:base-dir}/incoming
                    [graphite]
                    port = %d
                    [local-store]
                    dir = ${paths:base-dir}/local-store
                    """.formatted(relay.port()));
            Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-rw-rw-"));
            Process pull = underUmask000(Daemons.PULL, conf, "pull.log");
            Process process = underUmask000(Daemons.PROCESS, conf, "process.log");
            Wait.until(
                    Duration.ofSeconds(30),
                    () -> Entries.count(base.resolve("local-store")) >= 2,
                    "2 polls in local-store");
            // A poll with a broken file: the processor moves it into the quarantine it creates.
            Path bad = Files.createDirectories(base.resolve("incoming.tmp/1700000000"));
            Files.writeString(bad.resolve("x.sock_stat"), "not a show stat answer\n");
            Files.move(bad, base.resolve("incoming/1700000000"));
            Wait.until(
                    Duration.ofSeconds(30),
                    () -> Entries.count(base.resolve("quarantine")) == 1,
                    "the bad poll quarantined");
            pull.destroy();
            process.destroy();
            assertTrue(pull.waitFor(10, TimeUnit.SECONDS) && process.waitFor(10, TimeUnit.SECONDS));

            List<String> writable = new ArrayList<>();
            try (Stream<Path> all = Files.walk(base)) {
                for (Path p : all.toList()) {
                    if (p.startsWith(base.resolve("quarantine/1700000000"))) {
                        continue; // made by this test, moved as it is
                    }
                    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(p);
                    if (mode.contains(PosixFilePermission.GROUP_WRITE)
                            || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
                        writable.add(base.relativize(p) + " " + PosixFilePermissions.toString(mode));
                    }
                }
            }
            assertTrue(Files.exists(base.resolve("haproxystats-pull.status")), "the walk covers the status files");
            assertTrue(Entries.count(base.resolve("local-store")) >= 2);
            assertEquals(List.of(), writable, "group- or world-writable paths created under umask 000");
            for (String log : List.of("pull.log", "process.log")) {
                assertTrue(Files.readString(tmp.resolve(log)).contains(conf + " is world-writable"), log);
            }
        }
    }

    /** The executable started through a shell that sets umask 000 first (the test's shell, not the daemon's). */
    private Process underUmask000(Path exe, Path conf, String log) throws IOException {
        return new ProcessBuilder("bash", "-c", "umask 000; exec \"$0\" -f \"$1\"", exe.toString(), conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve(log).toFile())
                .start();
    }
}
