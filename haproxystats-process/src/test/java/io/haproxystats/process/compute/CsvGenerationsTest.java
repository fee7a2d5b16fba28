package io.haproxystats.process.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.process.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code show stat} as each HAProxy generation writes it. 2.6 is the real header of the captures
 * (Debian's 2.6.12); the others are built from the field lists of HAProxy's management guide
 * (section 9.1) for the versions this machine cannot run: 1.5 and 1.6 (62 fields, up to ttime),
 * 1.7 (agent and check details, addr, mode, algo), 1.8 (conn_rate..dses), 2.0 (wrew..need_conn_est),
 * 2.2 (uweight), 2.4 (agg_server_check_status, then the "-" separator and module columns), 2.6
 * (real: agg_server_status, agg_check_status, the ssl/h2/h1 modules), 2.8 (srid), 3.x
 * (sess_other..proto). The same traffic gives the same numbers in every generation; fields a
 * generation lacks give no line, never an error.
 */
class CsvGenerationsTest {

    enum Generation {
        V1_5(0),
        V1_6(0),
        V1_7(1),
        V1_8(2),
        V2_0(3),
        V2_2(4),
        V2_4(5),
        V2_6(6),
        V2_8(7),
        V3_0(8);

        final int level;

        Generation(int level) {
            this.level = level;
        }
    }

    private static final List<List<String>> ADDED = List.of(
            List.of(
                    "pxname",
                    "svname",
                    "qcur",
                    "qmax",
                    "scur",
                    "smax",
                    "slim",
                    "stot",
                    "bin",
                    "bout",
                    "dreq",
                    "dresp",
                    "ereq",
                    "econ",
                    "eresp",
                    "wretr",
                    "wredis",
                    "status",
                    "weight",
                    "act",
                    "bck",
                    "chkfail",
                    "chkdown",
                    "lastchg",
                    "downtime",
                    "qlimit",
                    "pid",
                    "iid",
                    "sid",
                    "throttle",
                    "lbtot",
                    "tracked",
                    "type",
                    "rate",
                    "rate_lim",
                    "rate_max",
                    "check_status",
                    "check_code",
                    "check_duration",
                    "hrsp_1xx",
                    "hrsp_2xx",
                    "hrsp_3xx",
                    "hrsp_4xx",
                    "hrsp_5xx",
                    "hrsp_other",
                    "hanafail",
                    "req_rate",
                    "req_rate_max",
                    "req_tot",
                    "cli_abrt",
                    "srv_abrt",
                    "comp_in",
                    "comp_out",
                    "comp_byp",
                    "comp_rsp",
                    "lastsess",
                    "last_chk",
                    "last_agt",
                    "qtime",
                    "ctime",
                    "rtime",
                    "ttime"),
            List.of(
                    "agent_status",
                    "agent_code",
                    "agent_duration",
                    "check_desc",
                    "agent_desc",
                    "check_rise",
                    "check_fall",
                    "check_health",
                    "agent_rise",
                    "agent_fall",
                    "agent_health",
                    "addr",
                    "cookie",
                    "mode",
                    "algo"),
            List.of("conn_rate", "conn_rate_max", "conn_tot", "intercepted", "dcon", "dses"),
            List.of(
                    "wrew",
                    "connect",
                    "reuse",
                    "cache_lookups",
                    "cache_hits",
                    "srv_icur",
                    "src_ilim",
                    "qtime_max",
                    "ctime_max",
                    "rtime_max",
                    "ttime_max",
                    "eint",
                    "idle_conn_cur",
                    "safe_conn_cur",
                    "used_conn_cur",
                    "need_conn_est"),
            List.of("uweight"),
            List.of("agg_server_check_status"),
            List.of("agg_server_status", "agg_check_status"),
            List.of("srid"),
            List.of("sess_other", "h1sess", "h2sess", "h3sess", "req_other", "h1req", "h2req", "h3req", "proto"));
    /** Module columns after the "-" separator (2.4+), as in the real 2.6 header; 3.x adds h3 and quic. */
    private static final List<String> MODULES =
            List.of("-", "ssl_sess", "ssl_reused_sess", "h2_headers_rcvd", "h1_open_connections", "h1_bytes_in");

    @TempDir
    Path tmp;

    static List<String> header(Generation g) {
        if (g == Generation.V2_6) {
            return realHeader();
        }
        List<String> fields = new ArrayList<>();
        for (int i = 0; i <= g.level; i++) {
            fields.addAll(ADDED.get(i));
        }
        if (g.level >= Generation.V2_4.level) {
            fields.addAll(MODULES);
        }
        if (g.level >= Generation.V3_0.level) {
            fields.addAll(List.of("h3_headers", "quic_dropped_pkt"));
        }
        return fields;
    }

    /** The header of the real 2.6.12 capture, without "# " and the trailing comma. */
    static List<String> realHeader() {
        try {
            Path stat = Fixtures.small().resolve("1795224218/haproxy1.sock_stat");
            String first = Files.readAllLines(stat).get(0);
            return List.of(first.substring(2, first.length() - 1).split(","));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One row with the given values by field name; other fields empty, as HAProxy leaves n/a fields. */
    static String row(List<String> header, Map<String, String> values) {
        StringBuilder b = new StringBuilder();
        for (String field : header) {
            b.append(values.getOrDefault(field, "")).append(',');
        }
        return b.toString();
    }

    static Map<String, String> values(String... keysAndValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    static String capture(Generation g, int scale) {
        List<String> h = header(g);
        String s = Integer.toString(scale);
        List<String> rows = new ArrayList<>();
        rows.add("# " + String.join(",", h) + ",");
        rows.add(row(
                h,
                values(
                        "pxname",
                        "fe.main",
                        "svname",
                        "FRONTEND",
                        "scur",
                        s,
                        "stot",
                        "7",
                        "status",
                        "OPEN",
                        "type",
                        "0",
                        "req_tot",
                        "9",
                        "conn_tot",
                        "11",
                        "mode",
                        "http",
                        "proto",
                        "",
                        "h1_bytes_in",
                        "123")));
        rows.add(row(
                h,
                values(
                        "pxname",
                        "be.app",
                        "svname",
                        "BACKEND",
                        "scur",
                        s,
                        "stot",
                        "5",
                        "status",
                        "UP",
                        "weight",
                        "2",
                        "act",
                        "2",
                        "bck",
                        "0",
                        "lbtot",
                        "4",
                        "type",
                        "1",
                        "rtime",
                        "12",
                        "algo",
                        "roundrobin",
                        "rtime_max",
                        Integer.toString(10 * scale))));
        rows.add(row(
                h,
                values(
                        "pxname",
                        "be.app",
                        "svname",
                        "web1",
                        "scur",
                        s,
                        "stot",
                        "3",
                        "status",
                        "UP",
                        "weight",
                        "1",
                        "lbtot",
                        "3",
                        "type",
                        "2",
                        "rtime",
                        "10",
                        "check_status",
                        "L7OK",
                        "check_desc",
                        "\"Layer7 check passed, code 200\"",
                        "addr",
                        "10.0.0.1:80",
                        "srid",
                        "1")));
        rows.add(row(
                h,
                values(
                        "pxname",
                        "be.app",
                        "svname",
                        "web2",
                        "scur",
                        "0",
                        "stot",
                        "2",
                        "status",
                        "DOWN",
                        "weight",
                        "1",
                        "lbtot",
                        "1",
                        "type",
                        "2",
                        "rtime",
                        "20",
                        "check_status",
                        "L4CON",
                        "check_desc",
                        "\"Layer4 connection problem, info: \"\"Connection refused\"\"\"",
                        "addr",
                        "10.0.0.2:80")));
        return String.join("\n", rows) + "\n\n";
    }

    private Map<String, String> lines(Generation g) throws IOException {
        return lines(g, "");
    }

    private Map<String, String> lines(Generation g, String process) throws IOException {
        PollComputation computation =
                Fixtures.computation(tmp, "[graphite]\nnamespace = lb\nprefix-hostname = false\n" + process, "h");
        PollComputation.Result r = computation.compute(
                "1700000000", Map.of("a.sock_stat", capture(g, 1), "b.sock_stat", capture(g, 2)), Set.of(), Set.of());
        assertEquals(List.of(), r.errors(), g.name());
        return Fixtures.values(r.batch());
    }

    @ParameterizedTest
    @EnumSource(Generation.class)
    void everyGenerationGivesTheSameNumbersForTheFieldsItHas(Generation g) throws IOException {
        Map<String, String> out = lines(g);
        assertEquals("3", out.get("lb.haproxy.frontend.fe_main.scur"), "1 + 2 across the two instances");
        assertEquals("14", out.get("lb.haproxy.frontend.fe_main.stot"));
        assertEquals("18", out.get("lb.haproxy.frontend.fe_main.req_tot"));
        assertEquals("8", out.get("lb.haproxy.backend.be_app.lbtot"));
        assertEquals("2", out.get("lb.haproxy.backend.be_app.weight"));
        assertEquals("12", out.get("lb.haproxy.backend.be_app.rtime"));
        assertEquals("6", out.get("lb.haproxy.backend.be_app.server.web1.stot"));
        assertEquals("20", out.get("lb.haproxy.backend.be_app.server.web2.rtime"));
        assertEquals("2", out.get("lb.haproxy.backend.be_app.TotalServers"));
        // conn_tot exists from 1.8 on; before, its line is simply not sent.
        assertEquals(
                g.level >= Generation.V1_8.level, out.containsKey("lb.haproxy.frontend.fe_main.conn_tot"), g.name());
        if (g.level >= Generation.V1_8.level) {
            assertEquals("22", out.get("lb.haproxy.frontend.fe_main.conn_tot"));
        }
        assertFalse(
                out.keySet().stream().anyMatch(k -> k.contains("h1_bytes_in") || k.contains(".-")),
                "module columns are metrics only when an option lists them");
        assertTrue(out.keySet().stream().allMatch(k -> !k.contains(" ")));
    }

    @ParameterizedTest
    @EnumSource(Generation.class)
    void newerAndModuleFieldsComeOutByNameWhereTheGenerationHasThem(Generation g) throws IOException {
        Map<String, String> out =
                lines(g, "[process]\nfrontend-metrics = scur h1_bytes_in\n" + "backend-metrics = lbtot rtime_max\n");
        assertEquals("3", out.get("lb.haproxy.frontend.fe_main.scur"));
        assertEquals(
                g.level >= Generation.V2_4.level ? "246" : null,
                out.get("lb.haproxy.frontend.fe_main.h1_bytes_in"),
                "module column, 123 in each instance");
        assertEquals(
                g.level >= Generation.V2_0.level ? "20" : null,
                out.get("lb.haproxy.backend.be_app.rtime_max"),
                "the larger of 10 and 20, from 2.0 on");
    }
}
