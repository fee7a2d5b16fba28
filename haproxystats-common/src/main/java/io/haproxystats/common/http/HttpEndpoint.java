package io.haproxystats.common.http;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.haproxystats.common.config.ConfigurationException;
import io.haproxystats.common.config.FleetSettings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A read-only HTTP(S) endpoint on the JDK's {@code com.sun.net.httpserver}: no server library to
 * carry, and what it serves (a page, its script, JSON, server-sent events) needs no more. Every
 * exchange runs on its own virtual thread, so a long-lived event stream holds no platform thread.
 * Every answer carries the given Content-Security-Policy and {@code nosniff}, {@code no-referrer},
 * {@code frame-ancestors}/{@code X-Frame-Options} denial and {@code no-store}; anything but GET and
 * HEAD is refused (405). With a basic-auth file every request needs one of its users (401
 * otherwise); with a key store it speaks HTTPS only.
 */
public final class HttpEndpoint implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;

    private HttpEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds and starts serving {@code routes} (path prefix to handler, as the JDK server matches
     * them: the longest prefix wins).
     *
     * @throws ConfigurationException a basic-auth file or key store that cannot be read or used,
     *     naming the file and the option
     * @throws IOException the address cannot be bound
     */
    public static HttpEndpoint start(
            FleetSettings settings, String realm, String contentSecurityPolicy, Map<String, HttpHandler> routes)
            throws IOException {
        Optional<Map<String, byte[]>> users = settings.basicAuthFile().map(HttpEndpoint::users);
        Optional<SSLContext> tls = settings.tlsKeystore().map(p -> sslContext(p, settings.tlsKeystorePassword()));
        InetSocketAddress address = new InetSocketAddress(settings.host(), settings.port());
        HttpServer server;
        if (tls.isPresent()) {
            HttpsServer https = HttpsServer.create(address, 64);
            https.setHttpsConfigurator(new HttpsConfigurator(tls.get()));
            server = https;
        } else {
            server = HttpServer.create(address, 64);
        }
        Filter headers = Filter.beforeHandler("security headers and methods", exchange -> {
            var h = exchange.getResponseHeaders();
            h.set("Content-Security-Policy", contentSecurityPolicy);
            h.set("X-Content-Type-Options", "nosniff");
            h.set("Referrer-Policy", "no-referrer");
            h.set("X-Frame-Options", "DENY");
            h.set("Cache-Control", "no-store");
        });
        for (Map.Entry<String, HttpHandler> route : routes.entrySet()) {
            HttpHandler handler = route.getValue();
            var context = server.createContext(route.getKey(), exchange -> {
                try (exchange) {
                    String method = exchange.getRequestMethod();
                    if (!method.equals("GET") && !method.equals("HEAD")) {
                        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                        send(exchange, 405, "text/plain; charset=utf-8", "read-only: GET or HEAD\n");
                        return;
                    }
                    handler.handle(exchange);
                }
            });
            context.getFilters().add(headers);
            users.ifPresent(u -> context.setAuthenticator(new Users(realm, u)));
        }
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.start();
        return new HttpEndpoint(server, executor);
    }

    /** The bound address (the port chosen when 0 was asked for). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Stops listening; exchanges still running (event streams) are closed, not waited for. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** Sends a whole text answer (UTF-8), compressed when the client takes gzip and it is worth it. */
    public static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        send(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /** As above, for bytes. */
    public static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        List<String> accept = exchange.getRequestHeaders().getOrDefault("Accept-Encoding", List.of());
        if (body.length > 1024 && accept.stream().anyMatch(a -> a.contains("gzip"))) {
            ByteArrayOutputStream zipped = new ByteArrayOutputStream(body.length / 4);
            try (GZIPOutputStream z = new GZIPOutputStream(zipped)) {
                z.write(body);
            }
            body = zipped.toByteArray();
            exchange.getResponseHeaders().set("Content-Encoding", "gzip");
        }
        exchange.getResponseHeaders().set("Vary", "Accept-Encoding");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The query string's parameters, decoded (the first of a repeated name; at most 4096 bytes read). */
    public static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> out = new LinkedHashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw == null || raw.length() > 4096) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (!name.isEmpty()) {
                out.putIfAbsent(name, value);
            }
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return ""; // a malformed escape is no value
        }
    }

    /** {@code user:{SHA}base64} lines (htpasswd -s); blank lines and # comments skipped. */
    static Map<String, byte[]> users(Path file) {
        String option = "[" + FleetSettings.SECTION + "] basic-auth-file";
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigurationException(option + ": cannot read " + file + ": " + e.getMessage());
        }
        Map<String, byte[]> users = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            String where = option + ": " + file + " line " + (i + 1);
            if (colon <= 0 || !line.startsWith("{SHA}", colon + 1)) {
                throw new ConfigurationException(
                        where + ": expected user:{SHA}base64 (htpasswd -nbs USER PASSWORD), got another form");
            }
            byte[] digest;
            try {
                digest = Base64.getDecoder().decode(line.substring(colon + 6));
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException(where + ": the {SHA} digest is not base64");
            }
            if (digest.length != 20) {
                throw new ConfigurationException(where + ": the {SHA} digest is not 20 bytes (SHA-1)");
            }
            users.put(line.substring(0, colon), digest);
        }
        if (users.isEmpty()) {
            throw new ConfigurationException(option + ": " + file + " has no user");
        }
        return Map.copyOf(users);
    }

    private static SSLContext sslContext(Path keystore, String password) {
        String option = "[" + FleetSettings.SECTION + "] tls-keystore";
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password.toCharArray());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password.toCharArray());
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(kmf.getKeyManagers(), null, null);
            return ssl;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigurationException(option + ": cannot use " + keystore + " (PKCS#12, with "
                    + "tls-keystore-password): " + e.getMessage());
        }
    }

    /** Basic authentication against SHA-1 digests, compared in constant time. */
    private static final class Users extends BasicAuthenticator {
        private final Map<String, byte[]> users;

        Users(String realm, Map<String, byte[]> users) {
            super(realm, StandardCharsets.UTF_8);
            this.users = users;
        }

        @Override
        public boolean checkCredentials(String user, String password) {
            byte[] expected = users.get(user);
            if (expected == null) {
                return false;
            }
            try {
                byte[] given = MessageDigest.getInstance("SHA-1").digest(password.getBytes(StandardCharsets.UTF_8));
                return MessageDigest.isEqual(expected, given);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e); // every JDK has SHA-1
            }
        }
    }
}
