package io.haproxystats.common.testing;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

/**
 * A real Graphite store for tests: Debian's carbon-cache (graphite-carbon) listening for plaintext
 * on a 127.0.0.1 port, writing whisper files under a temporary directory with one-second points
 * for 30 minutes (so every poll of a one-second pull interval is a point of its own), no create
 * or update throttling and no tag database ({@link #startTagged}: with graphite-web's). Read back
 * with whisper-fetch (python3-whisper).
 */
public final class CarbonCache implements AutoCloseable {

    private final Path dir;
    private final int port;
    /** graphite-web's address for carbon's tag updates ({@code ENABLE_TAGS}), or null: no tags. */
    private final String tagDatabase;

    private Process process;

    private CarbonCache(Path dir, int port, String tagDatabase) {
        this.dir = dir;
        this.port = port;
        this.tagDatabase = tagDatabase;
    }

    public static CarbonCache start(Path dir) throws IOException, InterruptedException {
        CarbonCache c = new CarbonCache(Files.createDirectories(dir), HaproxyInstance.freePort(), null);
        c.start();
        return c;
    }

    /**
     * A carbon-cache with {@code ENABLE_TAGS}: tagged series ({@code name;tag=value}) are stored
     * under {@code _tagged/} of {@link #whisperDir()} and each new series is sent, in batches of
     * up to 100 every second, to the tag database of the graphite-web at {@code graphiteUrl}.
     */
    public static CarbonCache startTagged(Path dir, String graphiteUrl) throws IOException, InterruptedException {
        CarbonCache c = new CarbonCache(Files.createDirectories(dir), HaproxyInstance.freePort(), graphiteUrl);
        c.start();
        return c;
    }

    /** Where the whisper files are (graphite-web's WHISPER_DIR). */
    public Path whisperDir() {
        return dir.resolve("storage/whisper");
    }

    /** Starts (or starts again, on the same port and files) the carbon-cache process. */
    public void start() throws IOException, InterruptedException {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.createDirectories(dir.resolve("storage/whisper"));
        Files.createDirectories(dir.resolve("log"));
        Files.writeString(conf.resolve("carbon.conf"), """
                [cache]
                STORAGE_DIR = %1$s/storage
                LOCAL_DATA_DIR = %1$s/storage/whisper
                WHITELISTS_DIR = %1$s/storage/lists
                CONF_DIR = %1$s/conf
                LOG_DIR = %1$s/log
                PID_DIR = %1$s
                ENABLE_LOGROTATION = False
                USER =
                MAX_CACHE_SIZE = inf
                MAX_UPDATES_PER_SECOND = inf
                MAX_CREATES_PER_MINUTE = inf
                %5$s
                LINE_RECEIVER_INTERFACE = 127.0.0.1
                LINE_RECEIVER_PORT = %2$d
                ENABLE_UDP_LISTENER = False
                PICKLE_RECEIVER_INTERFACE = 127.0.0.1
                PICKLE_RECEIVER_PORT = %3$d
                CACHE_QUERY_INTERFACE = 127.0.0.1
                CACHE_QUERY_PORT = %4$d
                LOG_UPDATES = False
                LOG_CREATES = False
                """.formatted(
                        dir,
                        port,
                        HaproxyInstance.freePort(),
                        HaproxyInstance.freePort(),
                        tagDatabase == null
                                ? "ENABLE_TAGS = False"
                                : "ENABLE_TAGS = True\nTAG_UPDATE_INTERVAL = 1\nTAG_BATCH_SIZE = 100\n"
                                        + "TAG_QUEUE_SIZE = 100000\nGRAPHITE_URL = " + tagDatabase));
        Files.writeString(conf.resolve("storage-schemas.conf"), "[all]\npattern = .*\nretentions = 1s:30m\n");
        Files.deleteIfExists(dir.resolve("carbon.pid"));
        Process p = new ProcessBuilder(
                        "carbon-cache",
                        "--config=" + conf.resolve("carbon.conf"),
                        "--pidfile=" + dir.resolve("carbon.pid"),
                        "--logdir=" + dir.resolve("log"),
                        "--nodaemon",
                        "start")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("carbon.out").toFile()))
                .start();
        Wait.until(
                Duration.ofSeconds(30),
                () -> {
                    try (var s = new Socket("127.0.0.1", port)) {
                        return true;
                    } catch (IOException e) {
                        return !p.isAlive();
                    }
                },
                "carbon-cache on port " + port);
        if (!p.isAlive()) {
            throw new IllegalStateException("carbon-cache exited: " + Files.readString(dir.resolve("carbon.out")));
        }
        process = p;
    }

    public int port() {
        return port;
    }

    /** Stops carbon-cache as its service manager would (SIGTERM: it writes its cache out, then exits). */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /** The whisper file of a metric path. */
    public Path whisper(String path) {
        return dir.resolve("storage/whisper").resolve(path.replace('.', '/') + ".wsp");
    }

    /** The value stored for {@code path} at {@code timestamp}, via whisper-fetch; empty if none. */
    public OptionalDouble fetch(String path, long timestamp) throws IOException, InterruptedException {
        Path file = whisper(path);
        if (!Files.exists(file)) {
            return OptionalDouble.empty();
        }
        Process p = new ProcessBuilder(
                        "whisper-fetch", "--from=" + (timestamp - 1), "--until=" + timestamp, file.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        for (String line : out.split("\n")) {
            String[] f = line.split("\t");
            if (f.length == 2 && f[0].equals(Long.toString(timestamp)) && !f[1].equals("None")) {
                return OptionalDouble.of(Double.parseDouble(f[1]));
            }
        }
        return OptionalDouble.empty();
    }

    /** Every whisper file's metric path. */
    public List<String> paths() throws IOException {
        Path root = dir.resolve("storage/whisper");
        List<String> out = new ArrayList<>();
        try (var files = Files.walk(root)) {
            files.filter(f -> f.toString().endsWith(".wsp")).forEach(f -> {
                String rel = root.relativize(f).toString();
                out.add(rel.substring(0, rel.length() - 4).replace('/', '.'));
            });
        }
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            stop();
        }
    }
}
