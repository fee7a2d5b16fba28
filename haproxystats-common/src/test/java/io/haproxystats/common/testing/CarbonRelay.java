package io.haproxystats.common.testing;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real carbon-c-relay listening on 127.0.0.1 (TCP only) that writes every line it receives to a
 * file: the Graphite sink of the end-to-end tests. Run with {@code -s} so its own metrics stay out.
 */
public final class CarbonRelay implements AutoCloseable {

    private final int port;
    private final Path out;
    private final Process process;

    private CarbonRelay(int port, Path out, Process process) {
        this.port = port;
        this.out = out;
        this.process = process;
    }

    public static CarbonRelay start(Path dir) throws IOException, InterruptedException {
        return start(dir, HaproxyInstance.freePort());
    }

    /**
     * A relay on a given port, e.g. the port of one stopped earlier (an outage ends). Each instance
     * writes its own file, so lines of earlier instances are not touched.
     */
    public static CarbonRelay start(Path dir, int port) throws IOException, InterruptedException {
        return start(dir, port, 0);
    }

    /**
     * A relay that also forwards every line, as it received it, to the carbon-cache plaintext
     * listener on 127.0.0.1:{@code carbonPort} (its file still has every line).
     */
    public static CarbonRelay forwardingTo(Path dir, int carbonPort) throws IOException, InterruptedException {
        return start(dir, HaproxyInstance.freePort(), carbonPort);
    }

    /**
     * A relay that forwards every line to the listener on 127.0.0.1:{@code carbonPort} and keeps
     * no file ({@link #lines} is empty): for benchmarks, whose hundreds of thousands of lines a
     * second would otherwise be written to disk twice.
     */
    public static CarbonRelay forwardingOnlyTo(Path dir, int carbonPort) throws IOException, InterruptedException {
        return start(dir, HaproxyInstance.freePort(), carbonPort, false);
    }

    private static CarbonRelay start(Path dir, int port, int carbonPort) throws IOException, InterruptedException {
        return start(dir, port, carbonPort, true);
    }

    private static CarbonRelay start(Path dir, int port, int carbonPort, boolean file)
            throws IOException, InterruptedException {
        int generation = 0;
        while (Files.exists(dir.resolve("relay-" + port + "-" + generation + ".out"))
                || Files.exists(dir.resolve("relay-" + port + "-" + generation + ".conf"))) {
            generation++;
        }
        String name = "relay-" + port + "-" + generation;
        Path out = dir.resolve(name + ".out");
        Path conf = dir.resolve(name + ".conf");
        Files.writeString(conf, """
                listen
                    type linemode
                        127.0.0.1:%d proto tcp
                    ;
                cluster sink
                    file %s
                    ;
                %s
                match *
                    send to sink%s
                    stop
                    ;
                """.formatted(
                port,
                file ? out : "/dev/null",
                carbonPort == 0 ? "" : "cluster store\n    forward 127.0.0.1:%d proto tcp\n    ;".formatted(carbonPort),
                carbonPort == 0 ? "" : " store"));
        // -b/-q: with the defaults (batch 2500, queue 25000) the file sink takes about 33,000 lines/s
        // on the CI machines; with these, about a million (measured with socat, docs/benchmarks.md).
        Process p = new ProcessBuilder(
                        "carbon-c-relay", "-f", conf.toString(), "-s", "-w", "1", "-b", "10000", "-q", "1000000")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile())
                .start();
        Wait.until(
                Duration.ofSeconds(10),
                () -> {
                    try (var s = new Socket("127.0.0.1", port)) {
                        return true;
                    } catch (IOException e) {
                        return !p.isAlive();
                    }
                },
                "carbon-c-relay on port " + port);
        if (!p.isAlive()) {
            throw new IllegalStateException("carbon-c-relay exited: " + Files.readString(dir.resolve(name + ".log")));
        }
        return new CarbonRelay(port, out, p);
    }

    public int port() {
        return port;
    }

    /** The relay's process id (a benchmark reads its CPU time). */
    public long pid() {
        return process.pid();
    }

    /** The file the relay writes every line it receives to. */
    public Path file() {
        return out;
    }

    /** The complete lines received so far (a line still being written is left out). */
    public List<String> lines() throws IOException {
        if (!Files.exists(out)) {
            return List.of();
        }
        // The relay may be writing while we read: a last line without its newline is not a line yet.
        String text = Files.readString(out);
        int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : text.substring(0, end + 1).lines().toList();
    }

    /**
     * Stops the relay at once (SIGKILL): its connections are reset, so a sender sees the outage
     * immediately. A graceful stop takes about a second during which carbon-c-relay keeps
     * connections open without reading them: lines written then are lost, as with any Graphite
     * plaintext peer that goes away (the protocol has no acknowledgement).
     */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** Stops the relay without ending it (SIGSTOP): its kernel still takes lines into socket buffers. */
    public void pause() throws IOException, InterruptedException {
        signal("-STOP");
    }

    /** Lets a paused relay run again (SIGCONT). */
    public void resume() throws IOException, InterruptedException {
        signal("-CONT");
    }

    private void signal(String signal) throws IOException, InterruptedException {
        if (new ProcessBuilder("kill", signal, Long.toString(process.pid()))
                        .inheritIO()
                        .start()
                        .waitFor()
                != 0) {
            throw new IOException("kill " + signal + " " + process.pid() + " failed");
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
