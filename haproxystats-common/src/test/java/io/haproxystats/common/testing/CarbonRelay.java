package io.haproxystats.common.testing;

import java.io.IOException;
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
        int port = HaproxyInstance.freePort();
        Path out = dir.resolve("relay-" + port + ".out");
        Path conf = dir.resolve("relay-" + port + ".conf");
        Files.writeString(conf, """
                listen
                    type linemode
                        127.0.0.1:%d proto tcp
                    ;
                cluster sink
                    file %s
                    ;
                match *
                    send to sink
                    stop
                    ;
                """.formatted(port, out));
        Process p = new ProcessBuilder("carbon-c-relay", "-f", conf.toString(), "-s", "-w", "1")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("relay-" + port + ".log").toFile())
                .start();
        Wait.until(Duration.ofSeconds(10), () -> {
            try (var s = new java.net.Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return !p.isAlive();
            }
        }, "carbon-c-relay on port " + port);
        if (!p.isAlive()) {
            throw new IllegalStateException("carbon-c-relay exited: " + Files.readString(dir.resolve("relay-" + port + ".log")));
        }
        return new CarbonRelay(port, out, p);
    }

    public int port() {
        return port;
    }

    /** Lines received so far. */
    public List<String> lines() throws IOException {
        return Files.exists(out) ? Files.readAllLines(out) : List.of();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
