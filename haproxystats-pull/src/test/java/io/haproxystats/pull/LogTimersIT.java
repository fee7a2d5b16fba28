package io.haproxystats.pull;

import static io.haproxystats.common.testing.Daemons.PULL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.haproxystats.common.logs.LogTimers;
import io.haproxystats.common.logs.LogTimersFile;
import io.haproxystats.common.logs.Timer;
import io.haproxystats.common.logs.TimerStats;
import io.haproxystats.common.spool.PollFiles;
import io.haproxystats.common.testing.Daemons;
import io.haproxystats.common.testing.HaproxyInstance;
import io.haproxystats.common.testing.TestConfig;
import io.haproxystats.common.testing.Wait;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real HAProxy logging every request ({@code option httplog}) to the haproxystats-pull
 * executable's {@code [logs]} UDP socket, in front of a responder that sleeps a fixed
 * schedule (5, 20, 100, 400 ms by the request's path). The polls' {@code log_timers} files, merged,
 * count every request sent, once, at the frontend, the backend and the server, and their
 * percentiles equal, within the sketch's relative error, the exact percentiles of the values
 * HAProxy logged (a copy of the same log lines goes over UDP to the test itself), which are never
 * below the known delays.
 */
class LogTimersIT {

    private static final long[] SCHEDULE = {5, 20, 100, 400};
    private static final int REQUESTS = 200;

    @TempDir
    Path tmp;

    @Test
    void percentilesOfARealHaproxysRequestsWithinTheSketchError() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        // UDP with a 4 MiB buffer: a UNIX datagram socket queues at most net.unix.max_dgram_qlen
        // datagrams (10 by default) and HAProxy drops the rest of a burst (its DroppedLogs); the
        // UNIX socket is exercised with sequential requests in LogTimersEndToEndIT.
        int logPort = HaproxyInstance.freePort();
        Path conf = Files.writeString(
                tmp.resolve("pull.conf"),
                TestConfig.spool(tmp.resolve("spool"), run) + "queue-size = 1000\n[logs]\nlisten = udp://127.0.0.1:"
                        + logPort + "\nrcvbuf = 4194304\n");
        HttpServer responder = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        responder.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        responder.createContext("/sleep/", exchange -> {
            long millis = Long.parseLong(exchange.getRequestURI().getPath().substring("/sleep/".length()));
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "ok\n".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        responder.start();
        Path pullLog = tmp.resolve("pull.log");
        Process pull = Daemons.start(PULL, conf, pullLog);
        try (DatagramChannel copy = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            Daemons.awaitLog(
                    pullLog, "[logs] receiving HAProxy's logs on udp://127.0.0.1:" + logPort, Duration.ofSeconds(30));
            int frontendPort = HaproxyInstance.freePort();
            String extra = """
                    frontend fe_logs
                        mode http
                        option httplog
                        log 127.0.0.1:%d local0
                        log 127.0.0.1:%d local0
                        bind 127.0.0.1:%d
                        default_backend be_delays
                    backend be_delays
                        mode http
                        server responder 127.0.0.1:%d
                    """.formatted(
                            logPort,
                            ((InetSocketAddress) copy.getLocalAddress()).getPort(),
                            frontendPort,
                            responder.getAddress().getPort());
            try (HaproxyInstance haproxy = HaproxyInstance.startWith(run, "a", extra)) {
                send(frontendPort);
                List<Long> logged = copyOfTheLog(copy);
                Path incoming = tmp.resolve("spool/incoming");
                try {
                    Wait.until(
                            Duration.ofSeconds(60),
                            () -> merged(incoming).counters().parsed() >= REQUESTS,
                            REQUESTS + " requests in the polls' log_timers");
                } catch (AssertionError e) {
                    String info = HaproxyInstance.cli(haproxy.socket(), "show info");
                    throw new AssertionError(
                            e.getMessage() + "; counted " + merged(incoming).counters() + "; HAProxy's "
                                    + info.lines()
                                            .filter(l -> l.startsWith("DroppedLogs"))
                                            .findFirst()
                                            .orElse("DroppedLogs: ?")
                                    + "; pull.log:\n"
                                    + Daemons.read(pullLog),
                            e);
                }
                LogTimers all = merged(incoming);
                assertEquals(REQUESTS, all.counters().parsed(), "each request once: " + all.counters());
                assertEquals(0, all.counters().unparsed(), all.counters().toString());
                Collections.sort(logged);
                for (LogTimers.Series series : List.of(
                        LogTimers.Series.frontend("fe_logs"),
                        LogTimers.Series.backend("be_delays"),
                        LogTimers.Series.server("be_delays", "responder"))) {
                    TimerStats tr = all.series().get(series).get(Timer.Tr);
                    assertEquals(REQUESTS, tr.count(), series.toString());
                    assertEquals(0, tr.aborted(), series.toString());
                    assertEquals(logged.get(REQUESTS - 1), tr.max(), series.toString());
                    for (double q : new double[] {0.5, 0.9, 0.99}) {
                        long exact = logged.get((int) Math.floor(q * (REQUESTS - 1)));
                        assertEquals(
                                exact,
                                tr.quantile(q),
                                exact * TimerStats.RELATIVE_ACCURACY,
                                series + " Tr p" + q * 100 + " against the logged values " + logged);
                    }
                    for (Timer t : new Timer[] {Timer.TR, Timer.Tw, Timer.Tc, Timer.Ta}) {
                        assertEquals(REQUESTS, all.series().get(series).get(t).count(), series + " " + t);
                    }
                    assertFalse(all.series().get(series).containsKey(Timer.Tt), "no TCP timer in HTTP lines");
                }
                // The known delays, by rank: 50 of each of 5, 20, 100 and 400 ms.
                assertTrue(logged.get(99) >= 20 && logged.get(179) >= 400, logged.toString());
                assertTrue(HaproxyInstance.cli(haproxy.socket(), "show info").contains("Name: HAProxy"));
            }
        } finally {
            Daemons.stop(pull);
            responder.stop(0);
        }
        assertFalse(Daemons.read(pullLog).contains("a line not read"), Daemons.read(pullLog));
    }

    /** REQUESTS requests, 20 at a time, the delay of request i being SCHEDULE[i % 4]. */
    private static void send(int port) throws Exception {
        HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (ExecutorService pool = Executors.newFixedThreadPool(20)) {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                URI uri = URI.create("http://127.0.0.1:" + port + "/sleep/" + SCHEDULE[i % 4]);
                answers.add(pool.submit(
                        () -> client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
                                .statusCode()));
            }
            for (Future<Integer> a : answers) {
                assertEquals(200, a.get());
            }
        }
    }

    /**
     * Tr of every request as HAProxy logged it to the test's own UDP socket; each is at least the
     * delay its path asked for.
     */
    private static List<Long> copyOfTheLog(DatagramChannel copy) throws Exception {
        List<Long> out = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.allocate(65_536);
        copy.configureBlocking(false);
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (out.size() < REQUESTS && System.nanoTime() < until) {
            buffer.clear();
            if (copy.receive(buffer) == null) {
                Thread.sleep(10);
                continue;
            }
            String line = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
            int at = line.indexOf(" fe_logs be_delays/responder ");
            if (at < 0) {
                continue;
            }
            String[] fields = line.substring(at).strip().split(" ");
            long tr = Long.parseLong(fields[2].split("/")[3]);
            String path = line.substring(line.indexOf("\"GET /sleep/") + 12, line.lastIndexOf(" HTTP/"));
            assertTrue(tr >= Long.parseLong(path), "Tr " + tr + " below the responder's delay in " + line);
            out.add(tr);
        }
        assertEquals(REQUESTS, out.size(), "HAProxy's copy of the log lines");
        return out;
    }

    /** Every log_timers of the polls in incoming/, merged. */
    private static LogTimers merged(Path incoming) {
        LogTimers all = new LogTimers();
        try (Stream<Path> polls = Files.list(incoming)) {
            for (Path poll : polls.toList()) {
                Path file = poll.resolve(PollFiles.LOG_TIMERS);
                if (Files.exists(file)) {
                    all.merge(LogTimersFile.parse(Files.readString(file)));
                }
            }
        } catch (IOException | LogTimersFile.MalformedException e) {
            throw new AssertionError(e);
        }
        return all;
    }
}
