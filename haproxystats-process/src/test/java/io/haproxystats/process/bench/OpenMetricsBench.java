package io.haproxystats.process.bench;

import io.haproxystats.common.config.ConfigLoader;
import io.haproxystats.common.config.OpenMetricsSettings;
import io.haproxystats.common.config.ProcessConfig;
import io.haproxystats.common.time.Clock;
import io.haproxystats.process.compute.MetricPaths;
import io.haproxystats.process.compute.PollComputation;
import io.haproxystats.process.compute.SeriesMapping;
import io.haproxystats.process.openmetrics.MetricsEndpoint;
import io.haproxystats.process.openmetrics.OpenMetricsDispatcher;
import io.haproxystats.process.testing.Fixtures;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * The OpenMetrics endpoint's scrape of a large poll (bench/openmetrics-bench.sh): the poll is
 * computed once (as the processor does), handed to the endpoint's dispatcher, then scraped
 * SCRAPES times in each of Prometheus text, OpenMetrics text, and OpenMetrics gzipped (what
 * Prometheus asks for), over HTTP on 127.0.0.1, timing each whole answer as the client reads it.
 *
 * <pre>OpenMetricsBench POLL_DIR [SCRAPES 10]</pre>
 */
public final class OpenMetricsBench {

    public static void main(String[] args) throws Exception {
        Path poll = Path.of(args[0]);
        int scrapes = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Path work = Files.createTempDirectory("openmetrics-bench");
        Path conf = Files.writeString(work.resolve("test.conf"), "[graphite]\nnamespace = lb\n");
        ProcessConfig config = ProcessConfig.from(ConfigLoader.load(conf, null));
        PollComputation computation =
                new PollComputation(config.process(), new MetricPaths(config.graphite(), "lb1"), Clock.system());
        long t0 = System.nanoTime();
        PollComputation.Result r =
                computation.compute(poll.getFileName().toString(), Fixtures.files(poll), Set.of(), Set.of());
        System.out.printf("poll: %d lines, computed in %.0f ms%n", r.batch().lines(), (System.nanoTime() - t0) / 1e6);
        OpenMetricsSettings settings = new OpenMetricsSettings(
                Optional.of(new OpenMetricsSettings.Listen("127.0.0.1", 0)),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Duration.ofDays(1),
                Duration.ofDays(1));
        OpenMetricsDispatcher dispatcher =
                new OpenMetricsDispatcher(new SeriesMapping(config.graphite()), settings, Clock.system());
        MetricsEndpoint endpoint = MetricsEndpoint.start(settings, dispatcher, Clock.system());
        long t1 = System.nanoTime();
        dispatcher.submit(r.batch());
        HttpClient client = HttpClient.newHttpClient();
        URI uri = URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics");
        int lines = r.batch().lines();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (read(client, uri, "text/plain", false)[1] < lines) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the endpoint does not serve the poll's " + lines + " lines");
            }
            Thread.sleep(10);
        }
        System.out.printf(
                "snapshot built (and first scraped) %.0f ms after the poll was handed on%n",
                (System.nanoTime() - t1) / 1e6);
        r = null;
        for (String[] kind : new String[][] {
            {"Prometheus text 0.0.4", "text/plain", "plain"},
            {"OpenMetrics text 1.0.0", "application/openmetrics-text; version=1.0.0", "plain"},
            {"OpenMetrics text 1.0.0, gzip", "application/openmetrics-text; version=1.0.0", "gzip"}
        }) {
            List<Long> ms = new ArrayList<>();
            long[] last = null;
            for (int i = 0; i < scrapes; i++) {
                long s = System.nanoTime();
                last = read(client, uri, kind[1], kind[2].equals("gzip"));
                ms.add((System.nanoTime() - s) / 1_000_000);
            }
            Collections.sort(ms);
            System.out.printf(
                    "%s: %d samples, %.1f MB on the wire (%.1f MB text); scrape median %d ms, max %d ms (%d scrapes)%n",
                    kind[0],
                    last[1],
                    last[0] / 1e6,
                    last[2] / 1e6,
                    ms.get(ms.size() / 2),
                    ms.get(ms.size() - 1),
                    scrapes);
        }
        System.out.printf(
                "endpoint's own figures: %d scrapes, last %.3f s%n", endpoint.scrapes(), endpoint.lastScrapeSeconds());
        dispatcher.close(Duration.ofSeconds(1));
        Files.delete(conf);
        Files.delete(work);
    }

    /** {wire bytes, sample lines, text bytes} of one scrape, read whole. */
    private static long[] read(HttpClient client, URI uri, String accept, boolean gzip) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", accept);
        if (gzip) {
            b.header("Accept-Encoding", "gzip");
        }
        HttpResponse<byte[]> response = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        byte[] body = response.body();
        long wire = body.length;
        if (gzip) {
            try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
                body = in.readAllBytes();
            }
        }
        long samples = 0;
        for (int i = 0; i < body.length; i++) {
            if (body[i] == '\n' && i + 1 < body.length && body[i + 1] != '#') {
                samples++;
            }
        }
        return new long[] {wire, samples, body.length};
    }
}
