package io.haproxystats.common.haproxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every field the default lists send has help of its own; the counters are the catalogue's summed
 * counter fields and the daemon's totals; units where the management guide gives them.
 */
class MetricDescriptionsTest {

    @Test
    void everyDefaultFieldIsDescribed() {
        List<String> fields = new ArrayList<>();
        fields.addAll(MetricCatalogue.FRONTEND_SUM);
        fields.addAll(MetricCatalogue.BACKEND_SUM);
        fields.addAll(MetricCatalogue.BACKEND_MEAN);
        fields.addAll(MetricCatalogue.SERVER_SUM);
        fields.addAll(MetricCatalogue.SERVER_MEAN);
        fields.addAll(MetricCatalogue.TIMING_MEAN);
        fields.addAll(MetricCatalogue.DAEMON_SUM);
        fields.addAll(MetricCatalogue.DAEMON_MEAN);
        for (String f : fields) {
            String help = MetricDescriptions.describe(f).help();
            assertFalse(
                    help.equals("HAProxy field " + f) || help.equals("show info " + f),
                    f + " has help of its own: " + help);
        }
    }

    @Test
    void countersGaugesAndUnits() {
        for (String counter : List.of("stot", "bin", "req_tot", "hrsp_5xx", "CumConns", "SslCacheMisses")) {
            assertEquals(
                    MetricDescriptions.Kind.COUNTER,
                    MetricDescriptions.describe(counter).kind(),
                    counter);
            if (!counter.startsWith("Cum") && !counter.startsWith("Ssl")) {
                assertEquals(
                        Aggregation.SUM, MetricCatalogue.aggregation(counter).orElseThrow(), counter);
            }
        }
        for (String gauge : List.of("scur", "rate", "weight", "rtime", "CurrConns", "Idle_pct", "status", "h2_open")) {
            assertEquals(
                    MetricDescriptions.Kind.GAUGE,
                    MetricDescriptions.describe(gauge).kind(),
                    gauge);
        }
        assertEquals("bytes", MetricDescriptions.describe("bout").unit());
        assertEquals("milliseconds", MetricDescriptions.describe("rtime").unit());
        assertEquals("seconds", MetricDescriptions.describe("downtime").unit());
        assertEquals("", MetricDescriptions.describe("scur").unit());
    }
}
