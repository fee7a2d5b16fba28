package io.haproxystats.process;

import static io.haproxystats.common.testing.Daemons.PROCESS;
import static io.haproxystats.common.testing.Daemons.PULL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.haproxystats.common.testing.CarbonRelay;
import io.haproxystats.common.testing.Daemons;
import io.haproxystats.common.testing.HaproxyInstance;
import io.haproxystats.common.testing.TestConfig;
import io.haproxystats.common.testing.Wait;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real HAProxy instances of one load balancer log their requests to the real haproxystats-pull's
 * {@code [logs]} UNIX socket; the real haproxystats-process, in local mode, sends the timer lines
 * to a real carbon-c-relay: one series for the load balancer (both instances' requests counted
 * together), percentile, max and count lines for each timer, LogLinesUnparsed and LogLinesDropped.
 */
class LogTimersEndToEndIT {

    @TempDir
    Path tmp;

    @Test
    void bothInstancesRequestsReachTheRelayAsOneLoadBalancersTimerLines() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Path logSocket = Files.createDirectories(tmp.resolve("logs")).resolve("log.sock");
        HttpServer responder = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        responder.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        responder.createContext("/", exchange -> {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "ok\n".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        responder.start();
        try (CarbonRelay relay = CarbonRelay.start(tmp)) {
            Path conf = Files.writeString(
                    tmp.resolve("haproxystats.conf"),
                    TestConfig.spool(tmp.resolve("spool"), run)
                            + TestConfig.toGraphite(relay.port(), "lb")
                            + "\n[logs]\nlisten = unix:" + logSocket + "\npercentiles = 50,99.9\n");
            Process process = Daemons.start(PROCESS, conf, tmp.resolve("process.log"));
            Process pull = Daemons.start(PULL, conf, tmp.resolve("pull.log"));
            try {
                Wait.until(Duration.ofSeconds(30), () -> Files.exists(logSocket), "the receiver's socket");
                int portA = HaproxyInstance.freePort();
                int portB = HaproxyInstance.freePort();
                try (HaproxyInstance a = HaproxyInstance.startWith(run, "a", proxies(logSocket, portA, responder));
                        HaproxyInstance b = HaproxyInstance.startWith(run, "b", proxies(logSocket, portB, responder))) {
                    HttpClient client = HttpClient.newHttpClient();
                    for (int i = 0; i < 30; i++) {
                        int port = i < 10 ? portA : portB; // 10 requests through a, 20 through b
                        assertEquals(
                                200,
                                client.send(
                                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                                                        .build(),
                                                HttpResponse.BodyHandlers.discarding())
                                        .statusCode());
                    }
                    String count = "lb.haproxy.backend.be_delays.server.responder.timers.Tr.count ";
                    Wait.until(
                            Duration.ofSeconds(60),
                            () -> sum(lines(relay), count) >= 30,
                            "30 requests counted in the relay's Tr.count lines");
                    List<String> lines = relay.lines();
                    assertEquals(30, sum(lines, count), "each request once, both instances in one series");
                    assertEquals(30, sum(lines, "lb.haproxy.frontend.fe_logs.timers.Ta.count "));
                    assertTrue(
                            lines.stream().anyMatch(l -> l.startsWith("lb.haproxy.backend.be_delays.timers.Tr.p50 ")));
                    assertTrue(
                            lines.stream().anyMatch(l -> l.startsWith("lb.haproxy.backend.be_delays.timers.Tr.p999 ")));
                    for (String l : lines) {
                        if (l.startsWith("lb.haproxy.backend.be_delays.timers.Tr.p50 ")
                                || l.startsWith("lb.haproxy.backend.be_delays.timers.Tr.max ")) {
                            assertTrue(
                                    Double.parseDouble(l.split(" ")[1]) >= 20 * 0.99,
                                    "the responder sleeps 20 ms: " + l);
                        }
                        assertTrue(l.matches("lb\\.haproxy\\.[^ ]+ -?[0-9.]+ [0-9]+"), "well-formed: " + l);
                    }
                    assertEquals(0, sum(lines, "lb.haproxy.haproxystats.LogLinesUnparsed "));
                    assertTrue(
                            lines.stream().anyMatch(l -> l.startsWith("lb.haproxy.haproxystats.LogLinesDropped 0 ")));
                }
            } finally {
                Daemons.stop(pull);
                Daemons.stop(process);
                responder.stop(0);
            }
        }
    }

    /** A frontend logging each request to the receiver, in front of the responder. */
    private static String proxies(Path logSocket, int port, HttpServer responder) {
        return """
                frontend fe_logs
                    mode http
                    option httplog
                    log %s local0
                    bind 127.0.0.1:%d
                    default_backend be_delays
                backend be_delays
                    mode http
                    server responder 127.0.0.1:%d
                """.formatted(logSocket, port, responder.getAddress().getPort());
    }

    private static List<String> lines(CarbonRelay relay) {
        try {
            return relay.lines();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The sum of the values of the lines starting with {@code prefix} (one a poll). */
    private static long sum(List<String> lines, String prefix) {
        return lines.stream()
                .filter(l -> l.startsWith(prefix))
                .mapToLong(l -> Long.parseLong(l.split(" ")[1]))
                .sum();
    }
}
