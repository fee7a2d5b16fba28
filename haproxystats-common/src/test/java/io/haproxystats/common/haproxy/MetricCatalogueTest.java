package io.haproxystats.common.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.testing.NatureTags;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricCatalogueTest {

    /** A real answer of Debian's HAProxy 2.6.12 (frontend, backend, server with checks). */
    private static String capture() throws IOException {
        try (InputStream in =
                MetricCatalogueTest.class.getResourceAsStream("/typed/haproxy-2.6.12-show-stat-typed.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void everyNumericFieldOfARealTypedAnswerIsKnownAndAggregatedByItsNatureTag() throws IOException {
        String typed = capture();
        assertTrue(
                NatureTags.names(typed)
                        .containsAll(List.of(
                                "rtime_max", "idle_conn_cur", "h2_open_connections", "ssl_sess", "lastsess", "weight")),
                "the capture has the newer and the module fields");
        assertEquals(List.of(), NatureTags.mismatches(typed));
    }

    @Test
    void theCheckCatchesAWrongKind() {
        String line = "B.3.0.61.rtime_max.1:MMP:u32:7\nB.3.0.5.lastsess.1:MAP:s32:3\nF.2.0.9.newfield.1:MCP:u64:1\n";
        assertEquals(List.of("newfield (MCP): not in the catalogue"), NatureTags.mismatches(line));
        assertFalse(
                NatureTags.mismatches("B.3.0.2.qmax.1:MMP:u32:1\nB.3.0.3.qtime_max.1:MMP:u32:1\n").stream()
                        .anyMatch(m -> m.startsWith("q")),
                "maxima of counts sum, maxima of times take the max");
    }

    @Test
    void moduleColumnsAreSummedOtherNamesAreNotMetrics() {
        assertEquals(Aggregation.SUM, MetricCatalogue.aggregation("h3_headers").orElseThrow());
        assertEquals(
                Aggregation.SUM, MetricCatalogue.aggregation("quic_dropped_pkt").orElseThrow());
        assertFalse(MetricCatalogue.isMetric("h2_"));
        assertFalse(MetricCatalogue.isMetric("status"));
        assertFalse(MetricCatalogue.isMetric("agg_server_status"));
        assertFalse(MetricCatalogue.isMetric("-"));
    }

    /** docs/metrics.md's catalogue table names every field with the kind the code uses, and no other. */
    @Test
    void theDocumentedTableIsTheCatalogue() throws IOException {
        Map<String, Aggregation> documented = new HashMap<>();
        for (String line : Files.readAllLines(Path.of("../docs/metrics.md"))) {
            String[] cells = line.split("\\|");
            if (cells.length < 4) {
                continue;
            }
            String kind = cells[1].strip();
            if (Arrays.stream(Aggregation.values()).noneMatch(a -> a.name().equals(kind))) {
                continue;
            }
            for (String field :
                    cells[3].replace(", and every module column", "").strip().split(" ")) {
                assertEquals(null, documented.put(field, Aggregation.valueOf(kind)), "listed twice: " + field);
            }
        }
        assertEquals(MetricCatalogue.STAT_FIELDS, documented);
    }
}
