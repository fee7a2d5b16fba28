package io.haproxystats.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.haproxystats.common.config.Defaults;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packages `mvn package` builds: the tarball runs from wherever it is unpacked, its annotated
 * configuration shows every option with the built-in default, and the Debian package installs,
 * runs and goes away cleanly (as root only: CI runs as root; elsewhere that test is skipped).
 */
class PackageIT {

    static final String VERSION = System.getProperty("project.version");
    static final Path TARGET = Path.of("target").toAbsolutePath();

    @TempDir
    Path tmp;

    record Result(int exit, String out) {
    }

    private static Result run(List<String> cmd, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd));
        return new Result(p.exitValue(), out);
    }

    private static Result run(String... cmd) throws Exception {
        return run(List.of(cmd), Map.of());
    }

    @Test
    void theTarballRunsFromWhereverItIsUnpacked() throws Exception {
        Path tarball = TARGET.resolve("haproxystats-" + VERSION + ".tar.gz");
        assertEquals(0, run("tar", "-xzf", tarball.toString(), "-C", tmp.toString()).exit());
        Path home = tmp.resolve("haproxystats-" + VERSION);
        for (String d : List.of("pull", "process")) {
            Path exe = home.resolve("bin/haproxystats-" + d);
            assertTrue(Files.isExecutable(exe), exe.toString());
            Result version = run(exe.toString(), "-v");
            assertEquals(0, version.exit(), version.out());
            assertTrue(version.out().contains("haproxystats-" + d + " " + VERSION), version.out());
            Result print = run(exe.toString(), "-f", home.resolve("conf/haproxystats.conf").toString(), "-P");
            assertEquals(0, print.exit(), print.out());
        }
        assertTrue(Files.isExecutable(home.resolve("contrib/nagios/check_haproxystats_queue_size")));
        assertTrue(Files.exists(home.resolve("contrib/systemd/haproxystats-pull.service")));
        assertTrue(Files.exists(home.resolve("docs/operations.md")));
        assertTrue(Files.exists(home.resolve("LICENSE")));
    }

    /** Every option of the built-in defaults is in conf/haproxystats.conf with its default. */
    @Test
    void theAnnotatedConfigurationShowsEveryDefault() throws Exception {
        String conf = Files.readString(Path.of("../contrib/haproxystats.conf"));
        String section = null;
        List<String> found = new ArrayList<>();
        Pattern header = Pattern.compile("^#? ?\\[([a-zA-Z-]+)\\]\\s*$");
        Pattern option = Pattern.compile("^#? ?([a-z-]+) = (.*)$");
        for (String line : conf.split("\n")) {
            Matcher h = header.matcher(line);
            if (h.matches()) {
                section = h.group(1);
                continue;
            }
            Matcher o = option.matcher(line);
            if (o.matches() && section != null) {
                found.add(section + " " + o.group(1) + " = " + o.group(2).strip());
            }
        }
        Defaults.table().forEach((s, options) -> options.forEach((k, v) ->
                assertTrue(found.contains(s + " " + k + " = " + v), "[" + s + "] " + k + " = " + v + " missing from "
                        + "contrib/haproxystats.conf")));
    }

    @Test
    void theDebianPackageInstallsRunsAndGoesAwayCleanly() throws Exception {
        boolean root = "0".equals(run("id", "-u").out().strip());
        assumeTrue(root, "installing a package needs root (CI runs as root)");
        assumeTrue(run("sh", "-c", "command -v dpkg").exit() == 0, "needs dpkg (Debian/Ubuntu)");
        assumeTrue(run("dpkg", "-s", "haproxystats").exit() != 0, "haproxystats is already installed here: not touching it");
        Path deb = TARGET.resolve("haproxystats_" + VERSION + "_all.deb");
        Result info = run("dpkg-deb", "--info", deb.toString());
        assertTrue(info.out().contains("Depends: openjdk-21-jre-headless | openjdk-25-jre-headless"), info.out());
        // --force-depends: the JDK on the build machines is not a Debian package (see the note in
        // docs/operations.md); the dependency itself is checked above.
        Result install = run("dpkg", "-i", "--force-depends", deb.toString());
        try {
            assertEquals(0, install.exit(), install.out());
            for (String d : List.of("pull", "process")) {
                Path exe = Path.of("/usr/bin/haproxystats-" + d);
                Result version = run(List.of(exe.toString(), "-v"), Map.of("JAVA_HOME", System.getProperty("java.home")));
                assertEquals(0, version.exit(), version.out());
                assertTrue(version.out().contains(VERSION), version.out());
                Result print = run(List.of(exe.toString(), "-P"), Map.of("JAVA_HOME", System.getProperty("java.home")));
                assertEquals(0, print.exit(), print.out());
                assertTrue(Files.exists(Path.of("/lib/systemd/system/haproxystats-" + d + ".service")));
                assertTrue(Files.isExecutable(Path.of("/usr/lib/nagios/plugins/check_haproxystats_" + d)));
            }
            assertTrue(run("getent", "passwd", "haproxystats").exit() == 0, "the service user exists");
            Result owner = run("stat", "-c", "%U:%G %a", "/var/lib/haproxystats");
            assertEquals("haproxystats:haproxystats 750", owner.out().strip());
            assertTrue(run("dpkg-query", "-W", "-f", "${Conffiles}", "haproxystats").out().contains("/etc/haproxystats.conf"),
                    "the configuration is a conffile");
        } finally {
            Result purge = run("dpkg", "--purge", "--force-depends", "haproxystats");
            assertEquals(0, purge.exit(), purge.out());
        }
        for (String gone : List.of("/usr/bin/haproxystats-pull", "/usr/bin/haproxystats-process", "/etc/haproxystats.conf",
                "/lib/systemd/system/haproxystats-pull.service", "/usr/share/haproxystats")) {
            assertFalse(Files.exists(Path.of(gone)), gone + " removed");
        }
        assertTrue(run("getent", "passwd", "haproxystats").exit() != 0, "the service user is gone after purge");
        assertTrue(Files.isDirectory(Path.of("/var/lib/haproxystats")), "the spool stays: it may hold undelivered polls");
        run("rmdir", "/var/lib/haproxystats"); // the test's own leftover, empty
    }
}
