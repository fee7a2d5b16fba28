package io.haproxystats.common.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real graphite-web (Debian's graphite-web package, a Django application) for tests: its own
 * settings module in a temporary directory (sqlite database and tag database there, whisper files
 * read from a carbon-cache's directory, no carbonlink: only what carbon wrote out is read; sqlite
 * waits up to 60 s for a lock, since carbon's tag updates write while the render API reads), its
 * tables made with {@code django-admin migrate}, served headless by Django's own server
 * ({@code django-admin runserver --noreload}) on a 127.0.0.1 port. Carbon's tag updates
 * ({@code ENABLE_TAGS}, {@code GRAPHITE_URL}) go to {@link #url()}; the render API answers
 * {@code seriesByTag(...)}.
 */
public final class GraphiteWeb implements AutoCloseable {

    /** Debian's interpreter, which has Django and graphite-web (a python3 on PATH may be another). */
    private static final String PYTHON =
            Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

    private final int port;
    private final Process process;
    private final HttpClient http = HttpClient.newHttpClient();

    private GraphiteWeb(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /** Starts graphite-web over {@code whisperDir}, its own files in {@code dir}. */
    public static GraphiteWeb start(Path dir, Path whisperDir) throws IOException, InterruptedException {
        Files.createDirectories(dir.resolve("log"));
        Files.createDirectories(whisperDir);
        Files.writeString(dir.resolve("haproxystats_graphite_settings.py"), """
                SECRET_KEY = 'haproxystats-test'
                GRAPHITE_ROOT = '/usr/share/graphite-web'
                STATIC_ROOT = '/usr/share/graphite-web/static'
                CONF_DIR = '%1$s'
                STORAGE_DIR = '%1$s'
                WHISPER_DIR = '%2$s'
                LOG_DIR = '%1$s/log'
                INDEX_FILE = '%1$s/index'
                LOG_ROTATION = False
                DEFAULT_XFILES_FACTOR = 0
                TAGDB_CACHE_DURATION = 0
                CARBONLINK_HOSTS = []
                FUNCTION_PLUGINS = []
                DATABASES = {'default': {'NAME': '%1$s/graphite.db', 'ENGINE': 'django.db.backends.sqlite3',
                                         'OPTIONS': {'timeout': 60}}}
                """.formatted(dir, whisperDir));
        run(dir, "migrate", "--run-syncdb");
        int port = HaproxyInstance.freePort();
        Process p = builder(dir, "runserver", "127.0.0.1:" + port, "--noreload")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("graphite-web.log").toFile())
                .start();
        GraphiteWeb web = new GraphiteWeb(port, p);
        Wait.until(
                Duration.ofSeconds(60),
                () -> {
                    if (!p.isAlive()) {
                        return true;
                    }
                    try {
                        return web.get("/tags/findSeries?expr=" + encode("name=nothing.yet"))
                                .startsWith("[");
                    } catch (IOException e) {
                        return false;
                    }
                },
                "graphite-web on port " + port);
        if (!p.isAlive()) {
            throw new IllegalStateException(
                    "graphite-web exited: " + Files.readString(dir.resolve("graphite-web.log")));
        }
        return web;
    }

    private static ProcessBuilder builder(Path dir, String... args) {
        String[] command = new String[args.length + 2];
        command[0] = PYTHON;
        command[1] = "/usr/bin/django-admin";
        System.arraycopy(args, 0, command, 2, args.length);
        ProcessBuilder b = new ProcessBuilder(command).directory(dir.toFile());
        b.environment().put("PYTHONPATH", dir.toString());
        b.environment().put("GRAPHITE_SETTINGS_MODULE", "haproxystats_graphite_settings");
        b.environment().put("DJANGO_SETTINGS_MODULE", "graphite.settings");
        return b;
    }

    private static void run(Path dir, String... args) throws IOException, InterruptedException {
        Path log = dir.resolve(args[0] + ".log");
        Process p = builder(dir, args)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new IllegalStateException("graphite-web " + args[0] + " did not end: " + Files.readString(log));
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("graphite-web " + args[0] + " failed: " + Files.readString(log));
        }
    }

    /** {@code http://127.0.0.1:<port>}: carbon's GRAPHITE_URL. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /**
     * The render API's JSON for {@code target} over {@code [from, until]} (epoch seconds):
     * {@code [{"target": ..., "tags": {...}, "datapoints": [[value, time], ...]}, ...]}.
     */
    public String render(String target, long from, long until) throws IOException {
        return get("/render?format=json&target=" + encode(target) + "&from=" + from + "&until=" + until);
    }

    /** The tag database's series matching the expressions ({@code /tags/findSeries}). */
    public String findSeries(String... expressions) throws IOException {
        StringBuilder q = new StringBuilder("/tags/findSeries?");
        for (String e : expressions) {
            q.append("expr=").append(encode(e)).append('&');
        }
        return get(q.toString());
    }

    private String get(String pathAndQuery) throws IOException {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(url() + pathAndQuery))
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("graphite-web " + pathAndQuery + ": HTTP " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
