package io.haproxystats.process.openmetrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.haproxystats.common.config.OpenMetricsSettings;
import io.haproxystats.common.time.Clock;
import io.haproxystats.process.status.StatusValues;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code [openmetrics] listen}: {@code GET /metrics} on the JDK's own HTTP server
 * ({@code com.sun.net.httpserver}, module jdk.httpserver: maintained with the JDK, no dependency
 * to ship, enough for a scrape endpoint), HTTPS with {@code tls-cert}/{@code tls-key}, basic
 * authentication with {@code username}/{@code password-file}. Each scrape runs on a virtual thread
 * of its own and reads the dispatcher's immutable snapshots, so a slow scraper holds only its own
 * thread and never a poll; at most {@value #CONCURRENT_SCRAPES} scrapes run at once (more get 503).
 * OpenMetrics text when the Accept header asks for it, Prometheus text otherwise; gzip (fastest
 * level) when Accept-Encoding has it. Counts the scrapes served and times the last (status file,
 * self metrics).
 */
public final class MetricsEndpoint implements StatusValues, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);
    static final int CONCURRENT_SCRAPES = 8;

    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final OpenMetricsDispatcher snapshots;
    private final Clock clock;
    private final byte[] expectedAuthorization;
    private final Semaphore running = new Semaphore(CONCURRENT_SCRAPES);
    private final AtomicLong scrapes = new AtomicLong();
    private final AtomicLong lastScrapeNanos = new AtomicLong();

    private MetricsEndpoint(HttpServer server, OpenMetricsDispatcher snapshots, Clock clock, byte[] authorization) {
        this.server = server;
        this.snapshots = snapshots;
        this.clock = clock;
        this.expectedAuthorization = authorization;
    }

    /**
     * Binds and starts the endpoint serving {@code snapshots}.
     *
     * @throws IOException naming the option when it cannot listen or read its TLS or password files
     */
    public static MetricsEndpoint start(OpenMetricsSettings settings, OpenMetricsDispatcher snapshots, Clock clock)
            throws IOException {
        OpenMetricsSettings.Listen listen = settings.listen().orElseThrow();
        InetSocketAddress address = new InetSocketAddress(listen.host(), listen.port());
        SSLContext tls = settings.tlsCert().isPresent()
                ? tls(settings.tlsCert().get(), settings.tlsKey().orElseThrow())
                : null;
        HttpServer server;
        try {
            if (tls != null) {
                HttpsServer https = HttpsServer.create(address, 64);
                https.setHttpsConfigurator(new HttpsConfigurator(tls));
                server = https;
            } else {
                server = HttpServer.create(address, 64);
            }
        } catch (IOException e) {
            throw new IOException(
                    "[openmetrics] listen: cannot listen on " + listen.host() + ":" + listen.port() + ": "
                            + e.getMessage(),
                    e);
        }
        byte[] authorization = null;
        if (settings.username().isPresent()) {
            Path file = settings.passwordFile().orElseThrow();
            String password;
            try {
                password = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                        .findFirst()
                        .orElse("");
            } catch (IOException e) {
                server.stop(0);
                throw new IOException("[openmetrics] password-file: cannot read " + file + ": " + e.getMessage(), e);
            }
            authorization = ("Basic "
                            + Base64.getEncoder()
                                    .encodeToString((settings.username().get() + ":" + password)
                                            .getBytes(StandardCharsets.UTF_8)))
                    .getBytes(StandardCharsets.US_ASCII);
        }
        MetricsEndpoint endpoint = new MetricsEndpoint(server, snapshots, clock, authorization);
        server.setExecutor(endpoint.threads);
        server.createContext("/", endpoint::handle);
        server.start();
        snapshots.servedBy(endpoint);
        LOG.info(
                "openmetrics: serving /metrics on {}://{}:{}",
                settings.tlsCert().isPresent() ? "https" : "http",
                listen.host(),
                server.getAddress().getPort());
        return endpoint;
    }

    /** The port it listens on (the one asked for, or the one given for port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        long start = clock.nanoTime();
        try (exchange) {
            if (expectedAuthorization != null
                    && !authorized(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"haproxystats\"");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            if (!exchange.getRequestURI().getPath().equals("/metrics")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().add("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            if (!running.tryAcquire()) {
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            try {
                Exposition.Format format =
                        Exposition.Format.accepting(exchange.getRequestHeaders().getFirst("Accept"));
                String encoding = exchange.getRequestHeaders().getFirst("Accept-Encoding");
                boolean gzip = encoding != null && encoding.contains("gzip");
                exchange.getResponseHeaders().add("Content-Type", format.contentType);
                if (gzip) {
                    exchange.getResponseHeaders().add("Content-Encoding", "gzip");
                }
                if (method.equals("HEAD")) {
                    exchange.sendResponseHeaders(200, -1);
                    return;
                }
                exchange.sendResponseHeaders(200, 0);
                OutputStream body = exchange.getResponseBody();
                OutputStream out = gzip ? new FastGzip(body) : body;
                try (OutputStream buffered = new BufferedOutputStream(out, 1 << 16)) {
                    Exposition.write(snapshots.fresh(), format, buffered);
                }
                scrapes.incrementAndGet();
                lastScrapeNanos.set(clock.nanosSince(start));
            } finally {
                running.release();
            }
        } catch (IOException e) {
            LOG.debug("openmetrics: scrape from {} ended: {}", exchange.getRemoteAddress(), e.toString());
        }
    }

    private boolean authorized(String header) {
        return header != null
                && MessageDigest.isEqual(header.strip().getBytes(StandardCharsets.US_ASCII), expectedAuthorization);
    }

    /** Scrapes served (answered whole) since the start. */
    public long scrapes() {
        return scrapes.get();
    }

    /** How long the last scrape served took, seconds. */
    public double lastScrapeSeconds() {
        return lastScrapeNanos.get() / 1e9;
    }

    @Override
    public void addTo(Map<String, Object> values) {
        values.put("openmetrics_scrapes", scrapes());
        values.put("openmetrics_last_scrape_seconds", String.format("%.3f", lastScrapeSeconds()));
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    /** gzip at the fastest level: a large site's 20 MB of text in well under a second. */
    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(OutputStream out) throws IOException {
            super(out, 1 << 16);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }

    /** TLS from a PEM certificate chain and a PEM PKCS#8 private key (RSA, EC or Ed25519). */
    private static SSLContext tls(Path certFile, Path keyFile) throws IOException {
        try {
            List<? extends Certificate> chain = List.copyOf(CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(certFile))));
            if (chain.isEmpty()) {
                throw new IOException("[openmetrics] tls-cert: no certificate in " + certFile);
            }
            PrivateKey key = privateKey(keyFile);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] none = new char[0];
            store.setKeyEntry("endpoint", key, none, chain.toArray(Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, none);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("[openmetrics] tls-cert/tls-key: " + certFile + ", " + keyFile + ": " + e, e);
        }
    }

    private static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new IOException(
                    "[openmetrics] tls-key: " + file + " has no unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----)");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
        GeneralSecurityException last = null;
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw last;
    }
}
