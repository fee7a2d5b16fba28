package io.haproxystats.process.openmetrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.config.ConfigLoader;
import io.haproxystats.common.config.OpenMetricsSettings;
import io.haproxystats.common.config.ProcessConfig;
import io.haproxystats.common.testing.Wait;
import io.haproxystats.common.time.Clock;
import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.compute.SeriesMapping;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The endpoint over real sockets: HTTPS from a PEM certificate and key made by openssl, basic
 * authentication (401 without it or with a wrong password), 404 elsewhere than /metrics, 405 for
 * other methods, scrapes counted for the status file; and an unusable port or key fails the start
 * with a message naming the option.
 */
class MetricsEndpointTest {

    @TempDir
    Path tmp;

    @Test
    void httpsWithBasicAuthentication() throws Exception {
        Path cert = tmp.resolve("cert.pem");
        Path key = tmp.resolve("key.pem");
        Process openssl = new ProcessBuilder(
                        "openssl",
                        "req",
                        "-x509",
                        "-newkey",
                        "ec",
                        "-pkeyopt",
                        "ec_paramgen_curve:prime256v1",
                        "-nodes",
                        "-keyout",
                        key.toString(),
                        "-out",
                        cert.toString(),
                        "-days",
                        "2",
                        "-subj",
                        "/CN=127.0.0.1",
                        "-addext",
                        "subjectAltName=IP:127.0.0.1")
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("openssl.log").toFile())
                .start();
        assertTrue(
                openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0,
                Files.readString(tmp.resolve("openssl.log")));
        Path password = Files.writeString(tmp.resolve("password"), "s3cret:with colon\n");
        OpenMetricsSettings settings = new OpenMetricsSettings(
                Optional.of(new OpenMetricsSettings.Listen("127.0.0.1", 0)),
                Optional.of(cert),
                Optional.of(key),
                Optional.of("prometheus"),
                Optional.of(password),
                Duration.ofMinutes(1),
                Duration.ofMinutes(1));
        ProcessConfig config = ProcessConfig.from(
                ConfigLoader.load(Files.writeString(tmp.resolve("c.conf"), "[graphite]\nnamespace = lb\n"), null));
        OpenMetricsDispatcher d =
                new OpenMetricsDispatcher(new SeriesMapping(config.graphite()), settings, Clock.system());
        MetricsEndpoint endpoint = MetricsEndpoint.start(settings, d, Clock.system());
        try {
            MetricBatch b = new MetricBatch("1700000000");
            b.add("lb.lb1.haproxy.frontend.fe.stot", 7);
            d.submit(b);
            Wait.until(Duration.ofSeconds(10), () -> d.fresh().size() == 1, "snapshot built");

            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry(
                    "endpoint",
                    CertificateFactory.getInstance("X.509")
                            .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(cert))));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
            HttpClient client = HttpClient.newBuilder().sslContext(tls).build();
            String base = "https://127.0.0.1:" + endpoint.port();
            String good = "Basic "
                    + Base64.getEncoder()
                            .encodeToString("prometheus:s3cret:with colon".getBytes(StandardCharsets.UTF_8));
            String bad =
                    "Basic " + Base64.getEncoder().encodeToString("prometheus:wrong".getBytes(StandardCharsets.UTF_8));

            assertEquals(
                    401,
                    send(client, HttpRequest.newBuilder(URI.create(base + "/metrics")))
                            .statusCode());
            HttpResponse<String> refused = send(
                    client,
                    HttpRequest.newBuilder(URI.create(base + "/metrics")).header("Authorization", bad));
            assertEquals(401, refused.statusCode());
            assertEquals(
                    Optional.of("Basic realm=\"haproxystats\""),
                    refused.headers().firstValue("WWW-Authenticate"));
            HttpResponse<String> ok = send(
                    client,
                    HttpRequest.newBuilder(URI.create(base + "/metrics")).header("Authorization", good));
            assertEquals(200, ok.statusCode());
            assertEquals(
                    Optional.of(Exposition.Format.PROMETHEUS.contentType),
                    ok.headers().firstValue("Content-Type"));
            assertTrue(
                    ok.body()
                            .contains(
                                    "haproxy_frontend_stot_total{namespace=\"lb\",lb=\"lb1\",frontend=\"fe\"} 7 1700000000000\n"),
                    ok.body());
            assertEquals(
                    404,
                    send(
                                    client,
                                    HttpRequest.newBuilder(URI.create(base + "/other"))
                                            .header("Authorization", good))
                            .statusCode());
            assertEquals(
                    405,
                    send(
                                    client,
                                    HttpRequest.newBuilder(URI.create(base + "/metrics"))
                                            .header("Authorization", good)
                                            .POST(HttpRequest.BodyPublishers.ofString("x")))
                            .statusCode());
            Map<String, Object> status = new HashMap<>();
            endpoint.addTo(status);
            assertEquals(1L, status.get("openmetrics_scrapes"), "one scrape served whole");
            assertEquals(
                    Map.of("OpenMetricsScrapes", 1L),
                    Map.of("OpenMetricsScrapes", d.selfMetrics().get("OpenMetricsScrapes")));
        } finally {
            d.close(Duration.ofSeconds(1));
        }
    }

    /**
     * A scraper that asks for a large answer (100,000 samples, megabytes) and never reads it holds
     * a blocked write on its own thread: meanwhile a new poll is taken at once and another scraper
     * gets the whole answer with the new poll.
     */
    @Test
    void aScraperThatDoesNotReadHoldsNeitherPollsNorOtherScrapes() throws Exception {
        OpenMetricsSettings settings = settings(0, Optional.empty(), Optional.empty());
        ProcessConfig config = ProcessConfig.from(
                ConfigLoader.load(Files.writeString(tmp.resolve("c.conf"), "[graphite]\nnamespace = lb\n"), null));
        OpenMetricsDispatcher d =
                new OpenMetricsDispatcher(new SeriesMapping(config.graphite()), settings, Clock.system());
        MetricsEndpoint endpoint = MetricsEndpoint.start(settings, d, Clock.system());
        try (java.net.Socket slow = new java.net.Socket()) {
            d.submit(largePoll("1700000000"));
            Wait.until(Duration.ofSeconds(30), () -> samples(d) == 100_000, "the first poll's snapshot");
            slow.setReceiveBufferSize(1024);
            slow.connect(new java.net.InetSocketAddress("127.0.0.1", endpoint.port()));
            slow.getOutputStream()
                    .write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            slow.getOutputStream().flush();

            assertTrue(d.submit(largePoll("1700000010")).isDone(), "a poll is taken at once");
            Wait.until(
                    Duration.ofSeconds(30),
                    () -> d.fresh().stream()
                            .anyMatch(
                                    s -> s.families().values().iterator().next().timestamps()[0] == 1700000010L),
                    "the second poll's snapshot");
            HttpResponse<String> other = send(
                    HttpClient.newHttpClient(),
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics")));
            assertEquals(200, other.statusCode());
            assertEquals(
                    100_000,
                    other.body()
                            .lines()
                            .filter(l -> l.endsWith(" 1700000010000"))
                            .count());
        } finally {
            d.close(Duration.ofSeconds(1));
        }
    }

    private static MetricBatch largePoll(String timestamp) {
        MetricBatch b = new MetricBatch(timestamp);
        for (int i = 0; i < 100_000; i++) {
            b.add("lb.lb1.haproxy.frontend.fe" + i + ".stot", i);
        }
        return b;
    }

    private static int samples(OpenMetricsDispatcher d) {
        return d.fresh().stream().mapToInt(Snapshot::samples).sum();
    }

    @Test
    void aPortInUseOrABadKeyFailsTheStartNamingTheOption() throws Exception {
        OpenMetricsSettings first = settings(0, Optional.empty(), Optional.empty());
        ProcessConfig config = ProcessConfig.from(
                ConfigLoader.load(Files.writeString(tmp.resolve("c.conf"), "[graphite]\nnamespace = lb\n"), null));
        OpenMetricsDispatcher d =
                new OpenMetricsDispatcher(new SeriesMapping(config.graphite()), first, Clock.system());
        MetricsEndpoint taken = MetricsEndpoint.start(first, d, Clock.system());
        try {
            OpenMetricsSettings same = settings(taken.port(), Optional.empty(), Optional.empty());
            String message = assertThrows(IOException.class, () -> MetricsEndpoint.start(same, d, Clock.system()))
                    .getMessage();
            assertTrue(message.startsWith("[openmetrics] listen: cannot listen on 127.0.0.1:" + taken.port()), message);
            Path notPem = Files.writeString(tmp.resolve("k.pem"), "not a key\n");
            Path cert = Files.writeString(tmp.resolve("c.pem"), "not a cert\n");
            message = assertThrows(
                            IOException.class,
                            () -> MetricsEndpoint.start(
                                    settings(0, Optional.of(cert), Optional.of(notPem)), d, Clock.system()))
                    .getMessage();
            assertTrue(message.startsWith("[openmetrics] tls-"), message);
        } finally {
            d.close(Duration.ofSeconds(1));
        }
    }

    private static OpenMetricsSettings settings(int port, Optional<Path> cert, Optional<Path> key) {
        return new OpenMetricsSettings(
                Optional.of(new OpenMetricsSettings.Listen("127.0.0.1", port)),
                cert,
                key,
                Optional.empty(),
                Optional.empty(),
                Duration.ofMinutes(1),
                Duration.ofMinutes(1));
    }

    private static HttpResponse<String> send(HttpClient client, HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
