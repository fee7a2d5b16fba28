package io.haproxystats.process.bench;

import static io.haproxystats.common.testing.Daemons.PROCESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.process.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark harness in smoke mode (tiny sizes, one or two iterations), so that it cannot rot:
 * the generator, the processor benchmark against a real relay, the Graphite send benchmark and the
 * puller benchmark script, the relay buffer probe, the polls container's codec, the Kafka, cluster and simulated fleet benchmarks (a real broker),
 * the OpenMetrics scrape benchmark. Figures are printed, never asserted (docs/benchmarks.md).
 */
class BenchSmokeIT {

    @TempDir
    Path tmp;

    private static String captureOut(ThrowingRunnable r) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        return out;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void generatorAndProcessorBenchmarkRunOnATinyPoll() throws Exception {
        Path poll = LargePollGenerator.generate(Fixtures.small().resolve("1795224218"), tmp, "1700000000", 2, 5, 3, 1);
        try (Stream<Path> files = Files.list(poll)) {
            assertEquals(4, files.count(), "2 _info + 2 _stat");
        }
        String stat = Files.readString(poll.resolve("haproxy1.sock_stat"));
        assertTrue(stat.startsWith("# pxname,svname,"), stat);
        assertEquals(1 + 5 * (3 + 2), stat.strip().split("\n").length, "header + 5 proxies x (3 servers + FE + BE)");

        System.setProperty("bench.aot", "off");
        String out = captureOut(() -> ProcessBench.main(new String[] {PROCESS.toString(), poll.toString(), "2", "1"}));
        assertTrue(out.contains("poll 2: ") && out.contains("all at the relay"), out);
        assertTrue(out.contains("floor probe (read every file of the poll") && out.contains("/ floor"), out);
        assertTrue(out.contains("warm polls (1): median "), out);

        // The mode that measures the Python original (it logs no count of the lines it sent): the
        // lines counted once they stop coming are those the processor says it delivered.
        Matcher logged =
                Pattern.compile("poll 2: .* (\\d+) lines, all at the relay").matcher(out);
        assertTrue(logged.find(), out);
        System.setProperty("bench.lines", "settle");
        try {
            String settled =
                    captureOut(() -> ProcessBench.main(new String[] {PROCESS.toString(), poll.toString(), "2", "1"}));
            assertTrue(
                    settled.contains("poll 2: ") && settled.contains(" " + logged.group(1) + " lines at the sink"),
                    settled);
        } finally {
            System.clearProperty("bench.lines");
        }
    }

    @Test
    void openMetricsBenchmarkRunsOnATinyPoll() throws Exception {
        Path poll = LargePollGenerator.generate(Fixtures.small().resolve("1795224218"), tmp, "1700000000", 2, 5, 3, 1);
        String out = captureOut(() -> OpenMetricsBench.main(new String[] {poll.toString(), "2"}));
        assertTrue(out.contains("OpenMetrics text 1.0.0, gzip: ") && out.contains("scrape median"), out);
    }

    /**
     * The issue's large-poll figure, 178,055 lines, is the original's: ours plus the 'nan' lines it
     * sends for the 4 timing means of every server and backend without traffic (a listed fix).
     */
    @Test
    void theLargePollGivesTheOriginalsLineCountPlusTheDroppedNanLines() throws Exception {
        Path poll =
                LargePollGenerator.generate(Fixtures.small().resolve("1795224218"), tmp, "1700000000", 32, 250, 20, 1);
        String text = Fixtures.computation(tmp, "[graphite]\nnamespace = lb\n", "h")
                .compute("1700000000", Fixtures.files(poll), Set.of(), Set.of())
                .batch()
                .text();
        long lines = text.lines().count();
        long servers = text.lines()
                .filter(l -> l.matches(".*\\.backend\\.[^ ]+\\.server\\.[^ .]+\\.scur .*"))
                .count();
        long timedServers = text.lines()
                .filter(l -> l.matches(".*\\.backend\\.[^ ]+\\.server\\.[^ .]+\\.rtime .*"))
                .count();
        long backends = text.lines()
                .filter(l -> l.matches(".*\\.backend\\.[^ .]+\\.scur .*"))
                .count();
        long timedBackends = text.lines()
                .filter(l -> l.matches(".*\\.backend\\.[^ .]+\\.rtime .*"))
                .count();
        System.out.printf(
                "large poll: %d lines, %d of %d servers and %d of %d backends without traffic%n",
                lines, servers - timedServers, servers, backends - timedBackends, backends);
        assertEquals(5000, servers);
        assertEquals(178_055, lines + 4 * (servers - timedServers) + 4 * (backends - timedBackends));
    }

    @Test
    void graphiteSendBenchmarkRuns() throws Exception {
        String out = captureOut(() -> GraphiteSendBench.main(new String[] {"2", "1000"}));
        assertTrue(out.contains("graphite send: 1000 lines in 1 batches; dispatcher flushed "), out);
    }

    @Test
    void pullBenchmarkScriptRuns() throws Exception {
        Process p = new ProcessBuilder(
                        "bash",
                        Path.of("../bench/pull-bench.sh").toAbsolutePath().toString(),
                        "1",
                        "2")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("instances=1 polls=2 poll wall time ms: median="), out);
        assertTrue(out.contains("ERROR log lines=0"), out);
    }

    @Test
    void relayBufferProbeScriptRuns() throws Exception {
        Process p = new ProcessBuilder(
                        "bash",
                        Path.of("../bench/relay-buffer-probe.sh")
                                .toAbsolutePath()
                                .toString(),
                        "65536")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        System.out.print(out);
        assertTrue(
                out.matches(
                        "(?s)SO_SNDBUF 65536 \\(kernel: \\d+\\): a stopped relay took \\d+ bytes before a write blocked,"
                                + " its kernel acknowledged \\d+ of them; a connection made while it was stopped"
                                + " took \\d+, acknowledged \\d+\\n"),
                out);
    }

    @Test
    void kafkaBenchmarkRunsOnTheSmallPoll() throws Exception {
        String out = captureOut(() -> KafkaBench.main(new String[] {
            PROCESS.toString(), Fixtures.small().resolve("1795224218").toString(), "2", "1"
        }));
        assertTrue(out.contains("edge (mode = forward): CPU "), out);
        assertTrue(out.contains("bytes a poll on the broker (files 78580 bytes: "), out);
        assertTrue(out.contains("local (mode = local): CPU ") && out.contains("edge / local = "), out);
        assertTrue(out.contains("central (source = kafka, 4 workers): 2 polls delivered"), out);
        assertTrue(out.contains("(JIT compiler threads ") && out.contains("central / local = "), out);
    }

    @Test
    void clusterBenchmarkRunsOnTheSmallPoll() throws Exception {
        String out = captureOut(() -> ClusterBench.main(new String[] {
            PROCESS.toString(), Fixtures.small().resolve("1795224218").toString(), "3", "3", "1", "1", "1"
        }));
        assertTrue(out.contains("values record of one poll: "), out);
        assertTrue(out.contains("backlog: 3 windows x 3 load balancers closed in "), out);
        assertTrue(out.contains("real time: 1 windows, 3 polls/s through the central processor"), out);
    }

    @Test
    void containerCodecBenchmarkRunsOnTheSmallPoll() throws Exception {
        String out = captureOut(() -> ContainerCodecBench.main(
                new String[] {Fixtures.small().resolve("1795224218").toString(), "1", "1,-3"}));
        assertTrue(out.contains("container codec: ") && out.contains(", 8 files, 78580 bytes"), out);
        assertTrue(out.contains("zstd level 1: encode ") && out.contains("zstd level -3: encode "), out);
    }

    @Test
    void fleetScaleBenchmarkRunsOnATinyFleet() throws Exception {
        String out = captureOut(() -> FleetScaleBench.main(new String[] {
            PROCESS.toString(), Fixtures.small().resolve("1795224218").toString(), "20", "2", "16", "4", "5", "2"
        }));
        assertTrue(out.contains("fleet scale bench: 20 load balancers (clusters of 5) every 2 s = 10.0 polls/s"), out);
        assertTrue(out.contains("produced 160 polls (0 failed)"), out);
        assertTrue(out.contains("central 0: ") && out.contains("central 1: ") && out.contains(" s a poll"), out);
        assertTrue(out.matches("(?s).*poll produced -> its last line at the reader \\(\\d+ polls.*"), out);
        assertTrue(out.matches("(?s).*cluster windows \\(4 clusters, [1-9]\\d* windows closed.*"), out);
    }

    @Test
    void fleetPageBenchmarkRunsOnATinyFleet() throws Exception {
        String out = captureOut(() -> io.haproxystats.process.fleet.FleetPageBench.main(new String[] {"3", "40", "1"}));
        assertTrue(out.contains("records: 120 (3 load balancers x 40 servers)"), out);
        assertTrue(out.contains("GET /: "), out);
        assertTrue(out.contains("chromium, first contentful paint: "), out);
        assertTrue(!out.contains("first contentful paint: -1 ms"), "a paint entry each load: " + out);
        assertTrue(out.contains("rows rendered: 40"), out);
    }

    @Test
    void fleetBenchmarkRuns() throws Exception {
        String out = captureOut(() -> FleetBench.main(
                new String[] {PROCESS.resolveSibling("haproxystats-fleet").toString(), "1", "0"}));
        assertTrue(out.contains("first run (no archive yet, starts the training): "), out);
        assertTrue(out.contains("reachable broker, CDS on:  median "), out);
        assertTrue(out.contains("a port that accepts and never answers, --timeout 2: "), out);
    }
}
