package io.haproxystats.process;

import static io.haproxystats.common.testing.Daemons.PROCESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.testing.CarbonRelay;
import io.haproxystats.common.testing.Daemons;
import io.haproxystats.common.testing.Entries;
import io.haproxystats.common.testing.TestConfig;
import io.haproxystats.common.testing.Wait;
import io.haproxystats.process.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A huge poll: 10,000 files (5,000 instances' show info and show stat, each the real capture's
 * header and first rows) processed by the processor executable with the launcher's heap bound
 * (-Xmx144m): it completes in bounded memory (files are parsed a few at a time into running
 * totals), every instance counts, and the poll is delivered and removed.
 */
class TenThousandFilesIT {

    static final int INSTANCES = 5_000;

    @TempDir
    Path tmp;

    @Test
    void aPollOfTenThousandFilesIsProcessedWithinTheLaunchersHeap() throws Exception {
        Path capture = Fixtures.small().resolve("1795224218");
        String info = Files.readString(capture.resolve("haproxy1.sock_info"));
        List<String> statLines = Files.readAllLines(capture.resolve("haproxy1.sock_stat"));
        String stat = String.join("\n", statLines.subList(0, Math.min(12, statLines.size()))) + "\n\n";
        Path spool = tmp.resolve("spool");
        Path poll = Files.createDirectories(spool.resolve("incoming.tmp/1700000000"));
        for (int i = 0; i < INSTANCES; i++) {
            Files.writeString(poll.resolve("i" + i + ".sock_info"), info);
            Files.writeString(poll.resolve("i" + i + ".sock_stat"), stat);
        }
        Files.createDirectories(spool.resolve("incoming"));
        try (CarbonRelay relay = CarbonRelay.start(tmp)) {
            Path conf = tmp.resolve("haproxystats.conf");
            Files.writeString(conf, TestConfig.paths(spool) + TestConfig.toGraphite(relay.port(), "big") + """
                    [local-store]
                    dir = ${paths:base-dir}/local-store
                    """);
            Process process = Daemons.start(PROCESS, conf, tmp.resolve("process.log"));
            try {
                Files.move(poll, spool.resolve("incoming/1700000000"));
                Wait.until(
                        Duration.ofSeconds(120),
                        () -> Entries.count(spool.resolve("incoming")) == 0 || !process.isAlive(),
                        "the poll processed");
                assertTrue(process.isAlive(), Files.readString(tmp.resolve("process.log")));
                long hwm = vmHwmKib(process.pid());
                System.out.printf("10,000-file poll: processor peak RSS (VmHWM) %.1f MiB%n", hwm / 1024.0);
            } finally {
                process.destroy();
                assertTrue(process.waitFor(15, TimeUnit.SECONDS));
            }
            String log = Files.readString(tmp.resolve("process.log"));
            assertTrue(!log.contains(" ERROR "), log);
            assertEquals(0, Entries.count(spool.resolve("quarantine")), "nothing quarantined");
            List<String> lines = Files.readAllLines(spool.resolve("local-store/1700000000/stats"));
            // Uptime_sec is averaged over the 5,000 identical records: the capture's own value.
            String uptime = info.lines()
                    .filter(l -> l.startsWith("Uptime_sec: "))
                    .findFirst()
                    .orElseThrow()
                    .substring("Uptime_sec: ".length());
            assertTrue(
                    lines.contains("big.haproxy.daemon.Uptime_sec " + uptime + " 1700000000"), "mean of 5,000 records");
            String maxconn = info.lines()
                    .filter(l -> l.startsWith("Maxconn: "))
                    .findFirst()
                    .orElseThrow()
                    .substring("Maxconn: ".length());
            assertTrue(
                    lines.contains("big.haproxy.daemon.Maxconn " + Long.parseLong(maxconn) * INSTANCES + " 1700000000"),
                    "Maxconn summed over 5,000 records");
        }
    }

    private static long vmHwmKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
