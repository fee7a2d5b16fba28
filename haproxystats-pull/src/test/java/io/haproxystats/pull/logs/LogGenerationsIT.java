package io.haproxystats.pull.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import io.haproxystats.common.config.LogsSettings;
import io.haproxystats.common.logs.LogTimers;
import io.haproxystats.common.logs.Timer;
import io.haproxystats.common.testing.DebianTestRoots;
import io.haproxystats.common.testing.HaproxyInstance;
import io.haproxystats.common.testing.Wait;
import io.haproxystats.common.time.Clock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each HAProxy generation the project supports (2.6 installed; 2.2 and 3.0 from the Debian test
 * roots, in a chroot that shares the network) logs HTTP ({@code option httplog}, and
 * {@code httpslog} where the version has it) and TCP ({@code option tcplog}) requests to the
 * receiver over UDP, each line twice: RFC 3164 (the default) and RFC 5424. Every request is read
 * twice, none unparsed, HTTP lines with the five HTTP timers, TCP lines with Tw, Tc and Tt.
 * ({@code option dontlognull}: the probe that waits for HAProxy to listen sends nothing.)
 */
class LogGenerationsIT {

    private static final int HTTP = 12;
    private static final int TCP = 6;

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "HAProxy {1}")
    @CsvSource({"host, 2.6", "bullseye-haproxy, 2.2", "trixie-haproxy, 3.0"})
    void everyRequestOfThisGenerationIsReadInBothSyslogFormats(String rootName, String version) throws Exception {
        Path root = null;
        if (!rootName.equals("host")) {
            assumeTrue("0".equals(run("id", "-u").strip()), "a chroot needs root (CI runs as root)");
            Path tarball = DebianTestRoots.tarball(rootName);
            assumeTrue(Files.exists(tarball), "no test root at " + tarball + " (setup.sh builds it as root)");
            root = Files.createDirectories(tmp.resolve("root"));
            assertEquals("", run("tar", "-C", root.toString(), "-xf", tarball.toString()));
        }
        HttpServer responder = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        responder.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        responder.createContext("/", exchange -> {
            byte[] body = "ok\n".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        responder.start();
        LogsSettings settings = new LogsSettings(
                List.of(new LogsSettings.Listen.Udp("127.0.0.1", 0)),
                List.of(new LogsSettings.Percentile(50, "p50")),
                OptionalInt.empty(),
                1_000);
        Process haproxy = null;
        try (LogReceiver receiver = LogReceiver.start(settings, Clock.system())) {
            int logPort = receiver.udpPorts().get(0);
            int httpPort = HaproxyInstance.freePort();
            int tcpPort = HaproxyInstance.freePort();
            int backend = responder.getAddress().getPort();
            boolean httpslog = !version.equals("2.2"); // option httpslog came with 2.5
            String cfg = """
                    global
                        log 127.0.0.1:%d local0
                        log 127.0.0.1:%d format rfc5424 local1
                    defaults
                        log global
                        option dontlognull
                        timeout connect 1s
                        timeout client 5s
                        timeout server 5s
                    frontend fe_http
                        mode http
                        option %s
                        bind 127.0.0.1:%d
                        default_backend be_http
                    backend be_http
                        mode http
                        server web1 127.0.0.1:%d
                    frontend fe_tcp
                        mode tcp
                        option tcplog
                        bind 127.0.0.1:%d
                        default_backend be_tcp
                    backend be_tcp
                        mode tcp
                        server t1 127.0.0.1:%d
                    """.formatted(
                            logPort, logPort, httpslog ? "httpslog" : "httplog", httpPort, backend, tcpPort, backend);
            Path cfgFile = root == null ? tmp.resolve("hs.cfg") : root.resolve("etc/hs.cfg");
            Files.writeString(cfgFile, cfg);
            List<String> command = new ArrayList<>();
            if (root != null) {
                command.addAll(List.of("chroot", root.toString()));
            }
            command.addAll(List.of("haproxy", "-db", "-f", root == null ? cfgFile.toString() : "/etc/hs.cfg"));
            Process started = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("haproxy.log").toFile())
                    .start();
            haproxy = started;
            Wait.until(Duration.ofSeconds(20), () -> listening(httpPort) || !started.isAlive(), "HAProxy " + version);
            assertTrue(started.isAlive(), Files.readString(tmp.resolve("haproxy.log")));
            HttpClient client = HttpClient.newHttpClient();
            for (int i = 0; i < HTTP; i++) {
                HttpResponse<Void> r = client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/x"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                assertEquals(200, r.statusCode());
            }
            for (int i = 0; i < TCP; i++) {
                tcpRequest(tcpPort);
            }
            LogTimers all = new LogTimers();
            Wait.until(
                    Duration.ofSeconds(30),
                    () -> {
                        all.merge(receiver.cut());
                        return all.counters().parsed() >= 2 * (HTTP + TCP);
                    },
                    "every request logged twice");
            assertEquals(
                    2 * (HTTP + TCP), all.counters().parsed(), all.counters().toString());
            assertEquals(0, all.counters().unparsed(), all.counters().toString());
            for (Timer t : Timer.HTTP) {
                assertEquals(
                        2 * HTTP,
                        all.series()
                                        .get(LogTimers.Series.server("be_http", "web1"))
                                        .get(t)
                                        .count()
                                + all.series()
                                        .get(LogTimers.Series.server("be_http", "web1"))
                                        .get(t)
                                        .aborted(),
                        version + " " + t);
            }
            for (Timer t : Timer.TCP) {
                assertEquals(
                        2 * TCP,
                        all.series()
                                        .get(LogTimers.Series.frontend("fe_tcp"))
                                        .get(t)
                                        .count()
                                + all.series()
                                        .get(LogTimers.Series.frontend("fe_tcp"))
                                        .get(t)
                                        .aborted(),
                        version + " " + t);
            }
            assertEquals(
                    2 * HTTP,
                    all.series()
                            .get(LogTimers.Series.frontend("fe_http"))
                            .get(Timer.Ta)
                            .count());
        } finally {
            if (haproxy != null) {
                haproxy.destroy();
                haproxy.waitFor(10, TimeUnit.SECONDS);
            }
            responder.stop(0);
            if (root != null) {
                run("rm", "-rf", "--one-file-system", root.toString());
            }
        }
    }

    /** One TCP session through the tcplog frontend: an HTTP request to the responder, read to the end. */
    private static void tcpRequest(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            in.readAllBytes();
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return p.exitValue() == 0 ? out : "exit " + p.exitValue() + ": " + out;
    }
}
