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
 * A real Prometheus (Debian's prometheus package) for tests: scraping one target every second,
 * its storage in a temporary directory, its HTTP API on a 127.0.0.1 port. Also runs
 * {@code promtool check metrics} on a scrape's text.
 */
public final class Prometheus implements AutoCloseable {

    private final int port;
    private final Process process;
    private final HttpClient http = HttpClient.newHttpClient();

    private Prometheus(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /** Starts Prometheus scraping {@code http://127.0.0.1:<targetPort>/metrics} every second. */
    public static Prometheus start(Path dir, int targetPort) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path config = Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: haproxystats
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(targetPort));
        int port = HaproxyInstance.freePort();
        Process p = new ProcessBuilder(
                        "prometheus",
                        "--config.file=" + config,
                        "--storage.tsdb.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port,
                        "--log.level=warn")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        Prometheus prometheus = new Prometheus(port, p);
        Wait.until(
                Duration.ofSeconds(60),
                () -> {
                    if (!p.isAlive()) {
                        return true;
                    }
                    try {
                        prometheus.get("/-/ready");
                        return true;
                    } catch (IOException e) {
                        return false;
                    }
                },
                "prometheus on port " + port);
        if (!p.isAlive()) {
            throw new IllegalStateException("prometheus exited: " + Files.readString(dir.resolve("prometheus.log")));
        }
        return prometheus;
    }

    /** The API's answer to an instant query at the current time ({@code /api/v1/query}), JSON. */
    public String query(String promql) throws IOException {
        return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    }

    /** The scrape targets and their health ({@code /api/v1/targets}), JSON. */
    public String targets() throws IOException {
        return get("/api/v1/targets");
    }

    private String get(String pathAndQuery) throws IOException {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("prometheus " + pathAndQuery + ": HTTP " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** {@code promtool check metrics} on {@code text} (Prometheus text format): its output, empty when it finds nothing. */
    public static String checkMetrics(String text) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("promtool", "check", "metrics")
                .redirectErrorStream(true)
                .start();
        try (var in = p.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("promtool did not end");
        }
        return p.exitValue() == 0 ? out : "exit " + p.exitValue() + ": " + out;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
