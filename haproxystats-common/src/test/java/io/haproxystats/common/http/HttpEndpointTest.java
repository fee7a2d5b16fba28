package io.haproxystats.common.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.config.ConfigurationException;
import io.haproxystats.common.config.FleetSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared HTTP endpoint over real sockets: basic authentication, TLS, headers, bad files named. */
class HttpEndpointTest {

    @TempDir
    Path tmp;

    private static final Map<String, com.sun.net.httpserver.HttpHandler> HELLO =
            Map.of("/", e -> HttpEndpoint.send(e, 200, "text/plain; charset=utf-8", "hello " + HttpEndpoint.query(e)));

    private static FleetSettings settings(Optional<Path> users, Optional<Path> keystore, String password) {
        return new FleetSettings("127.0.0.1", 0, users, keystore, password);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void basicAuthenticationAgainstHtpasswdShaLines() throws Exception {
        // htpasswd -nbs ops 's3cret' (base64 of the password's SHA-1)
        String digest = Base64.getEncoder()
                .encodeToString(java.security.MessageDigest.getInstance("SHA-1").digest("s3cret".getBytes()));
        Path users = Files.writeString(tmp.resolve("users"), "# operators\n\nops:{SHA}" + digest + "\n");
        try (HttpEndpoint e = HttpEndpoint.start(
                settings(Optional.of(users), Optional.empty(), ""), "r", "default-src 'none'", HELLO)) {
            HttpClient client = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + e.address().getPort() + "/?a=%3Cb%3E&a=2&c");
            HttpResponse<String> none =
                    client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, none.statusCode());
            assertEquals(
                    "Basic realm=\"r\", charset=\"UTF-8\"",
                    none.headers().firstValue("WWW-Authenticate").orElseThrow());
            HttpResponse<String> wrong = client.send(
                    HttpRequest.newBuilder(uri)
                            .header("Authorization", basic("ops", "guess"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, wrong.statusCode());
            HttpResponse<String> right = client.send(
                    HttpRequest.newBuilder(uri)
                            .header("Authorization", basic("ops", "s3cret"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, right.statusCode());
            assertEquals("hello {a=<b>, c=}", right.body());
            assertEquals(
                    "default-src 'none'",
                    right.headers().firstValue("Content-Security-Policy").orElseThrow());
        }
    }

    @Test
    void aBadUsersFileIsNamedWithItsLine() throws Exception {
        Path users = Files.writeString(tmp.resolve("users"), "ops:{SHA}AAAA\nbob:$apr1$x$y\n");
        String message = assertThrows(
                        ConfigurationException.class,
                        () -> HttpEndpoint.start(settings(Optional.of(users), Optional.empty(), ""), "r", "x", HELLO))
                .getMessage();
        assertEquals(
                "[fleet] basic-auth-file: " + users + " line 1: the {SHA} digest is not 20 bytes (SHA-1)", message);
        Files.writeString(users, "bob:$apr1$x$y\n");
        assertEquals(
                "[fleet] basic-auth-file: " + users + " line 1: expected user:{SHA}base64 (htpasswd -nbs USER"
                        + " PASSWORD), got another form",
                assertThrows(
                                ConfigurationException.class,
                                () -> HttpEndpoint.start(
                                        settings(Optional.of(users), Optional.empty(), ""), "r", "x", HELLO))
                        .getMessage());
        Path missing = tmp.resolve("missing");
        assertTrue(assertThrows(
                        ConfigurationException.class,
                        () -> HttpEndpoint.start(settings(Optional.of(missing), Optional.empty(), ""), "r", "x", HELLO))
                .getMessage()
                .startsWith("[fleet] basic-auth-file: cannot read " + missing));
    }

    @Test
    void tlsWithAPkcs12KeyStore() throws Exception {
        Path store = tmp.resolve("fleet.p12");
        Process keytool = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-keystore",
                        store.toString(),
                        "-storetype",
                        "PKCS12",
                        "-storepass",
                        "changeit",
                        "-alias",
                        "fleet",
                        "-keyalg",
                        "EC",
                        "-dname",
                        "CN=127.0.0.1",
                        "-ext",
                        "san=ip:127.0.0.1",
                        "-validity",
                        "2")
                .redirectErrorStream(true)
                .start();
        String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, keytool.exitValue(), out);
        assertTrue(assertThrows(
                        ConfigurationException.class,
                        () -> HttpEndpoint.start(
                                settings(Optional.empty(), Optional.of(store), "wrong"), "r", "x", HELLO))
                .getMessage()
                .startsWith("[fleet] tls-keystore: cannot use " + store));
        try (HttpEndpoint e =
                HttpEndpoint.start(settings(Optional.empty(), Optional.of(store), "changeit"), "r", "x", HELLO)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (var in = Files.newInputStream(store)) {
                ks.load(in, "changeit".toCharArray());
            }
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("fleet", (X509Certificate) ks.getCertificate("fleet"));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            URI uri = URI.create("https://127.0.0.1:" + e.address().getPort() + "/");
            HttpResponse<String> ok = HttpClient.newBuilder()
                    .sslContext(ssl)
                    .build()
                    .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("hello {}", ok.body());
            assertThrows(
                    SSLHandshakeException.class,
                    () -> HttpClient.newHttpClient()
                            .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()),
                    "a certificate the client does not trust: no answer");
        }
    }
}
