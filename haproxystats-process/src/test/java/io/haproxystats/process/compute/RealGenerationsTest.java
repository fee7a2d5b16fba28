package io.haproxystats.process.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.process.testing.Fixtures;
import io.haproxystats.process.testing.GraphiteLines;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The answers of real HAProxy 2.2 (Debian 11) and 3.0 (Debian 13) binaries, captured by
 * HaproxyGenerationsIT: {@code show info}, {@code show stat} and {@code show servers state} each
 * parse without an error and give the lines of every part, TotalServers counted by name.
 */
public class RealGenerationsTest {

    /** One line of every kind the answers of one instance give (frontend fe_g, backend be.app). */
    public static final List<String> EVERY_KIND_OF_LINE = List.of(
            "lb.haproxy.frontend.fe_g.stot",
            "lb.haproxy.frontend.fe_g.status.OPEN",
            "lb.haproxy.backend.be_app.lbtot",
            "lb.haproxy.backend.be_app.server.web-2.weight",
            "lb.haproxy.daemon.Maxconn",
            "lb.haproxy.daemon.Idle_pct",
            "lb.haproxy.backend.be_app.server.web-2.op_state.UP",
            "lb.haproxy.backend.be_app.server.web_1.admin_state.FMAINT");

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "HAProxy {0}")
    @ValueSource(strings = {"2.2", "3.0"})
    void realAnswersOfThisGenerationParseAndAggregate(String version) throws URISyntaxException {
        Path dir = Path.of(RealGenerationsTest.class
                .getResource("/generations/haproxy-" + version)
                .toURI());
        PollComputation.Result result = Fixtures.computation(
                        tmp,
                        "[graphite]\nnamespace = lb\nprefix-hostname = false\n" + "[process]\nstate-metrics = true\n",
                        "h")
                .compute("1700000000", Fixtures.files(dir), Set.of(), Set.of());
        assertEquals(List.of(), result.errors());
        Map<String, String> lines = new TreeMap<>();
        GraphiteLines.parse(result.batch().text()).forEach((k, v) -> lines.put(k.substring(0, k.indexOf(' ')), v));
        for (String path : EVERY_KIND_OF_LINE) {
            assertTrue(lines.containsKey(path), path + " from HAProxy " + version + ": " + lines.keySet());
        }
        assertEquals("2", lines.get("lb.haproxy.backend.be_app.TotalServers"));
        assertEquals("1", lines.get("lb.haproxy.backend.be_app.server.web-2.op_state.UP"), "no check: UP");
    }
}
