package io.haproxystats.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.haproxystats.common.config.Defaults;
import io.haproxystats.common.testing.DebianTestRoots;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    record Result(int exit, String out) {}

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
        assertEquals(
                0, run("tar", "-xzf", tarball.toString(), "-C", tmp.toString()).exit());
        Path home = tmp.resolve("haproxystats-" + VERSION);
        for (String d : List.of("pull", "process")) {
            Path exe = home.resolve("bin/haproxystats-" + d);
            assertTrue(Files.isExecutable(exe), exe.toString());
            Result version = run(exe.toString(), "-v");
            assertEquals(0, version.exit(), version.out());
            assertTrue(version.out().contains("haproxystats-" + d + " " + VERSION), version.out());
            Result print = run(
                    exe.toString(), "-f", home.resolve("conf/haproxystats.conf").toString(), "-P");
            assertEquals(0, print.exit(), print.out());
        }
        assertTrue(Files.isExecutable(home.resolve("contrib/nagios/check_haproxystats_queue_size")));
        assertTrue(Files.exists(home.resolve("contrib/systemd/haproxystats-pull.service")));
        assertTrue(Files.exists(home.resolve("contrib/systemd/haproxystats-fleet.service")));
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
        Defaults.table()
                .forEach((s, options) -> options.forEach((k, v) -> assertTrue(
                        found.contains(s + " " + k + " = " + v),
                        "[" + s + "] " + k + " = " + v + " missing from " + "contrib/haproxystats.conf")));
    }

    @Test
    void theDebianPackageIsLintianClean() throws Exception {
        assumeTrue(run("sh", "-c", "command -v lintian").exit() == 0, "needs lintian (setup.sh installs it)");
        Path deb = TARGET.resolve("haproxystats_" + VERSION + "_amd64.deb");
        Result lintian = run("lintian", "--tag-display-limit", "0", deb.toString());
        String findings =
                lintian.out().lines().filter(l -> l.matches("^[EW]: .*")).reduce("", (a, b) -> a + b + "\n");
        assertEquals(
                "",
                findings,
                "lintian errors or warnings (fix them, or override with a reason in "
                        + "haproxystats-dist/src/deb/lintian-overrides)");
        assertEquals(0, lintian.exit(), lintian.out());
    }

    /**
     * The package on a fresh Debian 12 (bookworm has no JDK 21) and Debian 13, neither with any
     * Java: it installs with its own runtime, both commands run, and a purge leaves nothing behind.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"bookworm", "trixie-haproxy"})
    void theDebianPackageInstallsOnAFreshDebianWithoutAJdkRunsAndGoesAwayCleanly(String release) throws Exception {
        assumeTrue("0".equals(run("id", "-u").out().strip()), "a chroot needs root (CI runs as root)");
        Path tarball = DebianTestRoots.tarball(release);
        assumeTrue(
                Files.exists(tarball), "no " + release + " test root at " + tarball + " (setup.sh builds it as root)");
        Path root = Files.createDirectories(tmp.resolve("root"));
        assertEquals(
                0, run("tar", "-C", root.toString(), "-xf", tarball.toString()).exit());
        assertEquals(
                0,
                run("mount", "-t", "proc", "proc", root.resolve("proc").toString())
                        .exit());
        try {
            assertTrue(
                    run("chroot", root.toString(), "sh", "-c", "command -v java || ls /usr/lib/jvm")
                                    .exit()
                            != 0,
                    "the root has no Java");
            Path deb = TARGET.resolve("haproxystats_" + VERSION + "_amd64.deb");
            Files.copy(deb, root.resolve("tmp/haproxystats.deb"));
            Result install = run("chroot", root.toString(), "dpkg", "-i", "/tmp/haproxystats.deb");
            assertEquals(0, install.exit(), install.out());
            Result version = run("chroot", root.toString(), "haproxystats-pull", "-v");
            assertEquals(0, version.exit(), version.out());
            assertTrue(version.out().contains("haproxystats-pull " + VERSION), version.out());
            Result defaults = run("chroot", root.toString(), "haproxystats-process", "-p");
            assertEquals(0, defaults.exit(), defaults.out());
            assertTrue(defaults.out().contains("[graphite]\n"), defaults.out());
            Result print = run("chroot", root.toString(), "haproxystats-process", "-P");
            assertEquals(0, print.exit(), print.out());
            // The fleet view's executable runs on the processor's jars; without [kafka] it says UNKNOWN (3).
            Result fleet = run("chroot", root.toString(), "haproxystats-fleet", "servers");
            assertEquals(3, fleet.exit(), fleet.out());
            assertTrue(fleet.out().contains("SERVERS UNKNOWN: [kafka] bootstrap-servers is not set"), fleet.out());
            // The fleet page on the package's own runtime (jdk.httpserver in it): it serves with no broker to read.
            Files.writeString(
                    root.resolve("tmp/fleet.conf"),
                    "[kafka]\nbootstrap-servers = 127.0.0.1:9\n[fleet]\nlisten = 127.0.0.1:0\n");
            Process serve = new ProcessBuilder(
                            "chroot", root.toString(), "haproxystats-fleet", "serve", "-f", "/tmp/fleet.conf")
                    .redirectErrorStream(true)
                    .start();
            try (var out = new java.io.BufferedReader(
                    new java.io.InputStreamReader(serve.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
                String line = out.readLine();
                while (line != null && !line.contains("listening on ")) {
                    line = out.readLine();
                }
                assertTrue(line != null, "haproxystats-fleet serve ended without listening");
                String url = line.replaceAll(".*listening on (http://127\\.0\\.0\\.1:[0-9]+/).*", "$1");
                var page = java.net.http.HttpClient.newHttpClient()
                        .send(
                                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                                        .build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString());
                assertEquals(200, page.statusCode(), page.body());
                assertTrue(page.body().contains("<span class=\"brand\">haproxystats fleet</span>"), page.body());
            } finally {
                serve.destroy();
                if (!serve.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    serve.destroyForcibly().waitFor();
                }
            }
            for (String d : List.of("pull", "process", "central", "fleet")) {
                assertTrue(Files.exists(root.resolve("lib/systemd/system/haproxystats-" + d + ".service")), d);
            }
            for (String d : List.of("pull", "process")) {
                assertTrue(Files.isExecutable(root.resolve("usr/lib/nagios/plugins/check_haproxystats_" + d)));
            }
            assertTrue(Files.exists(root.resolve("usr/share/doc/haproxystats/copyright")));
            assertTrue(Files.exists(root.resolve("usr/share/doc/haproxystats/changelog.gz")));
            assertEquals(
                    0,
                    run("chroot", root.toString(), "getent", "passwd", "haproxystats")
                            .exit(),
                    "the service user");
            Result owner = run("chroot", root.toString(), "stat", "-c", "%U:%G %a", "/var/lib/haproxystats");
            assertEquals("haproxystats:haproxystats 750", owner.out().strip());
            assertTrue(
                    run("chroot", root.toString(), "dpkg-query", "-W", "-f", "${Conffiles}", "haproxystats")
                            .out()
                            .contains("/etc/haproxystats.conf"),
                    "the configuration is a conffile");

            Result purge = run("chroot", root.toString(), "dpkg", "--purge", "haproxystats");
            assertEquals(0, purge.exit(), purge.out());
            for (String gone : List.of(
                    "usr/bin/haproxystats-pull",
                    "usr/bin/haproxystats-process",
                    "usr/bin/haproxystats-fleet",
                    "etc/haproxystats.conf",
                    "lib/systemd/system/haproxystats-pull.service",
                    "usr/share/haproxystats",
                    "usr/lib/haproxystats",
                    "var/lib/haproxystats")) {
                assertFalse(Files.exists(root.resolve(gone)), gone + " removed by the purge");
            }
            assertTrue(
                    run("chroot", root.toString(), "getent", "passwd", "haproxystats")
                                    .exit()
                            != 0,
                    "the service user is gone after purge");
        } finally {
            run("umount", root.resolve("proc").toString());
            run("rm", "-rf", "--one-file-system", root.toString());
        }
    }
}
