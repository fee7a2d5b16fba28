package io.haproxystats.process.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link MetricBatch#forEachLine}: every line once, in order, path and line apart, across the 1 MB chunks. */
class MetricBatchLinesTest {

    @Test
    void everyLineInOrderAcrossChunks() {
        MetricBatch batch = new MetricBatch("1795224218");
        int n = 40_000; // about 2.4 MB: lines fall across chunk boundaries
        for (int i = 0; i < n; i++) {
            batch.add("lb.haproxy.backend.be_" + i + ".server.web-" + (i % 7) + ".scur", i);
        }
        batch.addFormatted("lb.haproxy.haproxystats.TotalWallClockTime", "0.125");
        List<String> paths = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        batch.forEachLine((path, line) -> {
            paths.add(new String(path, StandardCharsets.UTF_8));
            lines.add(new String(line, StandardCharsets.UTF_8));
        });
        assertEquals(batch.text().lines().toList(), lines, "the lines writeTo writes, without their newlines");
        assertEquals(n + 1, paths.size());
        assertEquals("lb.haproxy.backend.be_39999.server.web-1.scur", paths.get(n - 1));
        assertEquals("lb.haproxy.haproxystats.TotalWallClockTime 0.125 1795224218", lines.get(n));
        for (int i = 0; i < lines.size(); i++) {
            assertEquals(lines.get(i).substring(0, lines.get(i).indexOf(' ')), paths.get(i));
        }
    }
}
