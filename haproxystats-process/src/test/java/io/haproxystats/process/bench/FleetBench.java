package io.haproxystats.process.bench;

import io.haproxystats.common.testing.KafkaCluster;
import io.haproxystats.process.kafka.FleetRecord;
import io.haproxystats.process.testing.KafkaRecords;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * {@code haproxystats-fleet servers} as nagios runs it, wall time from fork to exit: against a
 * real broker whose servers-state topic holds 3 load balancers x 200 servers, with the launcher's
 * class data sharing archive off ({@code HAPROXYSTATS_CDS=off}) and on (a first run starts the
 * background training: its time, and when the archive is in place, said apart), alternating; then Kafka unreachable (a closed port)
 * and a port that accepts but never answers, with {@code --timeout 3} and the default ({@code 2}
 * alone in smoke mode, one run). {@code
 * LOAD} threads spin in this JVM meanwhile, to play a loaded host. Figures are printed, never
 * asserted (docs/benchmarks.md).
 *
 * <pre>FleetBench EXECUTABLE [RUNS 10] [LOAD 0] [nocds]</pre>
 */
public final class FleetBench {

    private FleetBench() {}

    record Run(long millis, int exit, String firstLine) {}

    public static void main(String[] args) throws Exception {
        Path tmp = Files.createTempDirectory("fleet-bench");
        try {
            measure(args, tmp);
        } finally {
            io.haproxystats.common.spool.Directories.deleteTree(tmp);
        }
    }

    private static void measure(String[] args, Path tmp) throws Exception {
        Path exe = Path.of(args[0]);
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int load = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        boolean cdsToo =
                args.length <= 3 || !args[3].equals("nocds"); // nocds: an executable without it (an older build)
        for (int i = 0; i < load; i++) {
            Thread.ofPlatform().daemon().start(() -> {
                long x = 0;
                while (true) {
                    x += System.nanoTime() % 7;
                    if (x == Long.MIN_VALUE) {
                        System.out.print("");
                    }
                }
            });
        }
        try (KafkaCluster kafka = KafkaCluster.start(tmp.resolve("kafka"), 2)) {
            String topic = "haproxystats.servers-state";
            KafkaRecords.createTopic(kafka.bootstrapServers(), topic, 2, 1, Map.of("cleanup.policy", "compact"));
            long now = System.currentTimeMillis() / 1000;
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (String lb : List.of("lb1", "lb2", "lb3")) {
                for (int b = 0; b < 20; b++) {
                    for (int s = 0; s < 10; s++) {
                        FleetRecord r = new FleetRecord(lb, "be" + b, "srv" + s, now, "web", List.of("UP/READY"));
                        records.add(new ProducerRecord<>(
                                topic,
                                r.key().getBytes(StandardCharsets.UTF_8),
                                r.value().getBytes(StandardCharsets.UTF_8)));
                    }
                }
            }
            KafkaRecords.produce(kafka.bootstrapServers(), records);
            Path conf = Files.writeString(
                    tmp.resolve("fleet.conf"),
                    "[pull]\npull-interval = 3600\n[kafka]\nbootstrap-servers = " + kafka.bootstrapServers() + "\n");
            Path cdsDir = tmp.resolve("cds");
            System.out.printf(
                    "fleet bench: %d runs each, %d spinning threads, %d cores%n",
                    runs, load, Runtime.getRuntime().availableProcessors());
            long t0 = System.nanoTime();
            Run training = null;
            if (cdsToo) {
                training = run(exe, conf, true, cdsDir);
                while (!archives(cdsDir).contains(".jsa (") || archives(cdsDir).contains(".lock")) {
                    if (System.nanoTime() - t0 > 120_000_000_000L) {
                        throw new IllegalStateException("no CDS archive within 120 s: " + archives(cdsDir));
                    }
                    Thread.sleep(50);
                }
                System.out.printf(
                        "first run (no archive yet, starts the training): %d ms (exit %d: %s); archive in place %d ms"
                                + " after its start: %s%n",
                        training.millis(),
                        training.exit(),
                        training.firstLine(),
                        (System.nanoTime() - t0) / 1_000_000,
                        archives(cdsDir));
            }
            List<Long> off = new ArrayList<>();
            List<Long> on = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                off.add(checked(run(exe, conf, false, cdsDir)).millis());
                if (cdsToo) {
                    on.add(checked(run(exe, conf, true, cdsDir)).millis());
                }
            }
            System.out.println("reachable broker, CDS off: " + summary(off));
            if (cdsToo) {
                System.out.println("reachable broker, CDS on:  " + summary(on));
            }
            System.out.println("runs that did not answer OK: " + notOk.size() + (notOk.isEmpty() ? "" : " " + notOk));
        }
        Path closed = Files.writeString(
                tmp.resolve("closed.conf"), "[kafka]\nbootstrap-servers = 127.0.0.1:" + freePort() + "\n");
        try (ServerSocket blackHole = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path silent = Files.writeString(
                    tmp.resolve("silent.conf"),
                    "[kafka]\nbootstrap-servers = 127.0.0.1:" + blackHole.getLocalPort() + "\n");
            for (String[] c : new String[][] {
                {"Kafka unreachable (closed port)", closed.toString()},
                {"a port that accepts and never answers", silent.toString()}
            }) {
                for (String timeout : runs <= 1 ? new String[] {"2"} : new String[] {"3", "8"}) {
                    Run r = run(exe, Path.of(c[1]), true, tmp.resolve("cds"), "--timeout", timeout);
                    System.out.printf(
                            "%s, --timeout %s: %d ms, exit %d: %s%n",
                            c[0], timeout, r.millis(), r.exit(), r.firstLine());
                }
            }
        }
    }

    /** Runs that did not answer OK (UNKNOWN at the deadline on a host too loaded to read Kafka in time). */
    private static final List<String> notOk = new ArrayList<>();

    private static Run checked(Run r) {
        if (r.exit() != 0) {
            notOk.add(r.millis() + " ms, exit " + r.exit() + ": " + r.firstLine());
        }
        return r;
    }

    private static Run run(Path exe, Path conf, boolean cds, Path cdsDir, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(exe.toString(), "servers", "-f", conf.toString()));
        cmd.addAll(Arrays.asList(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("HAPROXYSTATS_CDS", cds ? "on" : "off");
        pb.environment().put("HAPROXYSTATS_CDS_DIR", cdsDir.toString());
        long start = System.nanoTime();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("no exit within 60 s: " + out);
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        return new Run(ms, p.exitValue(), out.lines().findFirst().orElse(""));
    }

    private static String summary(List<Long> ms) {
        List<Long> s = ms.stream().sorted().toList();
        return String.format(
                "median %d ms (min %d, max %d) over %d runs",
                s.get(s.size() / 2), s.get(0), s.get(s.size() - 1), s.size());
    }

    private static String archives(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return "none";
        }
        try (var files = Files.list(dir)) {
            return files.map(f -> {
                        try {
                            return f.getFileName() + " (" + Files.size(f) / 1024 + " KiB)";
                        } catch (IOException e) {
                            return f.getFileName().toString();
                        }
                    })
                    .toList()
                    .toString();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
