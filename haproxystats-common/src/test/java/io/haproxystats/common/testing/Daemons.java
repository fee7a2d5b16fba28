package io.haproxystats.common.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The project's executables run as their own processes, as operators run them: the one harness of
 * the integration tests. A daemon starts with {@code -f CONF}, its stdout and stderr appended to a
 * log file that outlives it (the tests keep it for a failure's reader); it is stopped with SIGTERM
 * and must exit 0, or killed with SIGKILL.
 */
public final class Daemons {

    /** The puller's launcher as the build made it. */
    public static final Path PULL = executable("haproxystats-pull");
    /** The processor's launcher as the build made it. */
    public static final Path PROCESS = executable("haproxystats-process");

    private Daemons() {}

    /** {@code target/<name>} of this module, else of the sibling module of that name. */
    private static Path executable(String name) {
        Path own = Path.of("target", name);
        Path sibling = Path.of("..", name, "target", name);
        return (Files.exists(own) ? own : sibling).toAbsolutePath().normalize();
    }

    /** Starts {@code exe -f conf}, output appended to {@code log}. */
    public static Process start(Path exe, Path conf, Path log) throws IOException {
        return start(exe, conf, log, Map.of());
    }

    /**
     * Starts {@code exe -f conf} with extra environment variables, output appended to {@code log}.
     * The launcher's AOT cache is off unless {@code env} names its directory
     * ({@code HAPROXYSTATS_AOT_DIR}): a test's daemons neither share a cache nor spend a stop
     * writing one.
     */
    public static Process start(Path exe, Path conf, Path log, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(exe.toString(), "-f", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (!env.containsKey("HAPROXYSTATS_AOT_DIR")) {
            pb.environment().put("HAPROXYSTATS_AOT", "off");
        }
        pb.environment().putAll(env);
        return pb.start();
    }

    /** SIGTERM; the daemon must end within 30 s with exit 0. */
    public static void stop(Process p) throws InterruptedException {
        p.destroy();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the daemon did not stop within 30 s of SIGTERM");
        assertEquals(0, p.exitValue(), "exit code after SIGTERM");
    }

    /** SIGKILL, and waits for the end. */
    public static void kill(Process p) throws InterruptedException {
        p.destroyForcibly().waitFor();
    }

    /** Waits until {@code log} holds {@code text}. */
    public static void awaitLog(Path log, String text, Duration timeout) throws InterruptedException {
        Wait.until(timeout, () -> read(log).contains(text), "'" + text + "' in " + log);
    }

    /** The log so far; empty before the daemon wrote anything. */
    public static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
