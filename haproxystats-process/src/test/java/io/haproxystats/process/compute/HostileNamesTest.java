package io.haproxystats.process.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.process.testing.Fixtures;
import io.haproxystats.process.testing.HostileNames;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names from crafted files cannot inject Graphite lines: one input value gives one component,
 * never two lines, a broken line, a new directory or a tag (issue 8, "hostile names").
 */
class HostileNamesTest {

    /** path value timestamp: the path one token of printable, non-space characters. */
    static final Pattern LINE = Pattern.compile("(?U)[^\\s;/\\p{Cf}]+ -?[0-9.]+ 1700000000");

    @TempDir
    Path tmp;

    @Test
    void everyHostileNameBecomesOneSafeComponent() throws Exception {
        List<String> names = HostileNames.CORPUS;
        StringBuilder stat = new StringBuilder("# pxname,svname,scur,type,\n");
        for (String n : names) { // written raw: the last one is a quoted CSV field
            stat.append(n).append(",FRONTEND,1,0,\n");
            stat.append(n).append(",BACKEND,1,1,\n");
            stat.append(n).append(",").append(n).append(",1,2,\n");
        }
        stat.append('\n');
        PollComputation.Result r = Fixtures.computation(
                        tmp,
                        "[graphite]\nnamespace = lb\nprefix-hostname = false\n"
                                + "[process]\naggr-server-metrics = true\nstate-metrics = true\n",
                        "h")
                .compute("1700000000", Map.of("evil.sock_stat", stat.toString()), Set.of(), Set.of());
        assertEquals(List.of(), r.errors());
        String text = r.batch().text();
        String[] lines = text.split("\n", -1);
        assertEquals("", lines[lines.length - 1], "ends with a newline");
        for (int i = 0; i < lines.length - 1; i++) {
            assertTrue(LINE.matcher(lines[i]).matches(), "malformed or injected line: " + abbreviate(lines[i]));
        }
        assertEquals(r.batch().lines(), lines.length - 1, "one line per metric, none split");
        // Each name is one component, the same for frontends, backends and servers.
        assertTrue(text.contains("lb.haproxy.frontend.fe_with_space.scur 1 "), text.substring(0, 200));
        assertTrue(text.contains("lb.haproxy.frontend.slash_______etc.scur 1 "));
        assertTrue(text.contains("lb.haproxy.frontend.semi_tag=1.scur 1 "));
        assertTrue(text.contains("lb.haproxy.frontend.ünïcödé✓.scur 1 "), "non-ASCII kept");
        assertTrue(text.contains("lb.haproxy.backend.dots_and_more.server.dots_and_more.scur 1 "));
        assertTrue(text.contains("lb.haproxy.frontend.quoted,comma.scur 1 "), "a quoted CSV field is one name");
        assertTrue(text.contains("lb.haproxy.frontend.nbsp_figure_narrow_zero_line_end.scur 1 "), "Unicode spaces");
        // A component stops at 200 bytes (whisper's file names at 255): 183 kept, a stable hash after.
        // The hash: python3 -c "import hashlib;print(hashlib.sha256(b'x'*10000).hexdigest()[:16])"
        String cut = "x".repeat(183) + "_e4ee97ec252749d2";
        assertTrue(text.contains("lb.haproxy.frontend." + cut + ".scur 1 "), "long names are capped");
        assertTrue(text.contains("lb.haproxy.backend." + cut + ".server." + cut + ".scur 1 "));
    }

    @Test
    void aNewlineInsideAQuotedNameIsACutRowNotTwoLines() throws Exception {
        PollComputation.Result r = Fixtures.computation(tmp, "[graphite]\nnamespace = lb\n", "h")
                .compute(
                        "1700000000",
                        Map.of(
                                "evil.sock_stat",
                                "# pxname,svname,scur,type,\n\"fe\nfake.metric 999 1\",FRONTEND,1,0,\n\n"),
                        Set.of(),
                        Set.of());
        assertEquals(1, r.errors().size(), "the file is rejected (and its poll quarantined), never sent");
        assertTrue(
                r.errors().get(0).startsWith("evil.sock_stat line 2: unterminated quoted field"),
                r.errors().toString());
        assertTrue(!r.batch().text().contains("fake.metric"));
    }

    private static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
