package io.haproxystats.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.haproxy.MetricCatalogue;
import io.haproxystats.common.testing.HaproxyInstance;
import io.haproxystats.common.testing.NatureTags;
import io.haproxystats.process.compute.PollComputation;
import io.haproxystats.process.testing.Fixtures;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metric catalogue against the HAProxy installed here: every numeric field of its
 * {@code show stat typed} is known and aggregated as its nature tag says, and every metric field
 * of its {@code show stat} header can be listed in the *-metrics options and comes out by name.
 */
class ShowStatTypedIT {

    @TempDir
    Path tmp;

    @Test
    void theInstalledHaproxysFieldsAreAllInTheCatalogueWithTheRightAggregation() throws Exception {
        try (HaproxyInstance h = HaproxyInstance.start(tmp, "a")) {
            String typed = HaproxyInstance.cli(h.socket(), "show stat typed");
            assertTrue(NatureTags.names(typed).contains("scur"), typed);
            assertEquals(List.of(), NatureTags.mismatches(typed));

            String stat = HaproxyInstance.cli(h.socket(), "show stat");
            String header = stat.substring(2, stat.indexOf('\n'));
            String all = Arrays.stream(header.split(","))
                    .filter(MetricCatalogue::isMetric)
                    .collect(Collectors.joining(" "));
            assertTrue(all.contains("rtime_max") && all.contains("h1_bytes_in"), all);
            PollComputation computation = Fixtures.computation(
                    tmp,
                    "[graphite]\nnamespace = lb\nprefix-hostname = false\n"
                            + "[process]\nfrontend-metrics = " + all + "\nbackend-metrics = " + all
                            + "\nserver-metrics = " + all
                            + "\n",
                    "h");
            PollComputation.Result r =
                    computation.compute("1700000000", Map.of("a.sock_stat", stat), Set.of(), Set.of());
            assertEquals(List.of(), r.errors());
            Map<String, String> out = Fixtures.values(r.batch());
            assertTrue(out.containsKey("lb.haproxy.frontend.fe_a.h1_bytes_in"), "module column by name");
            assertTrue(out.containsKey("lb.haproxy.backend.be_app.rtime_max"), "newer field by name");
            assertTrue(out.containsKey("lb.haproxy.backend.be_app.server.web-2.idle_conn_cur"));
        }
    }
}
