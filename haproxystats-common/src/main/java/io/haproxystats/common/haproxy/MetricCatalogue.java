package io.haproxystats.common.haproxy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The HAProxy statistics the processor knows: the numeric {@code show stat} fields (HAProxy's
 * management guide, section 9.1, 1.5 to 3.x, and the module columns) that a {@code *-metrics}
 * option may name with the aggregation of each, and the original's default selections.
 */
public final class MetricCatalogue {

    private MetricCatalogue() {}

    /**
     * The {@code show stat} fields that only grow (counters): summed across processes like the
     * gauges, and exposed as counters where a store tells them apart (OpenMetrics).
     */
    public static final List<String> COUNTERS = List.of(
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
            "chkfail",
            "chkdown",
            "downtime",
            "lbtot",
            "hrsp_1xx",
            "hrsp_2xx",
            "hrsp_3xx",
            "hrsp_4xx",
            "hrsp_5xx",
            "hrsp_other",
            "hanafail",
            "req_tot",
            "cli_abrt",
            "srv_abrt",
            "comp_in",
            "comp_out",
            "comp_byp",
            "comp_rsp",
            "conn_tot",
            "intercepted",
            "dcon",
            "dses",
            "wrew",
            "connect",
            "reuse",
            "cache_lookups",
            "cache_hits",
            "eint",
            "sess_other",
            "h1sess",
            "h2sess",
            "h3sess",
            "req_other",
            "h1req",
            "h2req",
            "h3req");

    /**
     * Numeric {@code show stat} fields (management guide section 9.1, 1.5 to 3.x) and how each is
     * aggregated, from its nature tag in {@code show stat typed} ({@link Aggregation}). Text fields
     * (status, addr, check_desc...) and the agg_* status codes are not metrics. Keys (pid, iid, sid)
     * and check codes are summed only because the original accepted and summed them. The rule is
     * checked against real {@code show stat typed} answers (MetricCatalogueTest, ShowStatTypedIT).
     */
    public static final Map<String, Aggregation> STAT_FIELDS = fields();

    /**
     * Families of the module columns HAProxy 2.4+ writes after the {@code -} column (ssl, h1, h2,
     * h3, quic): every one is a counter or a gauge in {@code show stat typed}, so each is summed.
     */
    public static final List<String> MODULE_PREFIXES = List.of("ssl_", "h1_", "h2_", "h3_", "quic_");

    /** How {@code field} is aggregated, or empty when it is not a numeric statistic. */
    public static Optional<Aggregation> aggregation(String field) {
        Aggregation known = STAT_FIELDS.get(field);
        if (known != null) {
            return Optional.of(known);
        }
        for (String prefix : MODULE_PREFIXES) {
            if (field.startsWith(prefix) && field.length() > prefix.length()) {
                return Optional.of(Aggregation.SUM);
            }
        }
        return Optional.empty();
    }

    /** True for a field a {@code *-metrics} option may name. */
    public static boolean isMetric(String field) {
        return aggregation(field).isPresent();
    }

    private static Map<String, Aggregation> fields() {
        Map<String, Aggregation> m = new LinkedHashMap<>();
        put(m, Aggregation.SUM, COUNTERS.toArray(String[]::new));
        put(
                m,
                Aggregation.SUM,
                // gauges
                "qcur",
                "scur",
                "act",
                "bck",
                "srv_icur",
                "idle_conn_cur",
                "safe_conn_cur",
                "used_conn_cur",
                "need_conn_est",
                // rates and limits
                "rate",
                "req_rate",
                "conn_rate",
                "slim",
                "qlimit",
                "rate_lim",
                "src_ilim",
                // maxima of counts: the sum bounds the site's peak, as the original
                "qmax",
                "smax",
                "rate_max",
                "req_rate_max",
                "conn_rate_max",
                // keys and codes, as the original
                "pid",
                "iid",
                "sid",
                "check_code",
                "agent_code");
        put(
                m,
                Aggregation.MEAN,
                "weight",
                "uweight",
                "throttle",
                "check_duration",
                "agent_duration",
                "check_rise",
                "check_fall",
                "check_health",
                "agent_rise",
                "agent_fall",
                "agent_health",
                "type");
        put(m, Aggregation.TRAFFIC_MEAN, "qtime", "ctime", "rtime", "ttime");
        put(m, Aggregation.MAX, "qtime_max", "ctime_max", "rtime_max", "ttime_max");
        put(m, Aggregation.MIN, "lastchg", "lastsess");
        return Collections.unmodifiableMap(m);
    }

    private static void put(Map<String, Aggregation> m, Aggregation kind, String... names) {
        for (String name : names) {
            if (m.put(name, kind) != null) {
                throw new IllegalStateException("listed twice: " + name);
            }
        }
    }

    /** Summed by every part (frontend, backend, server) by default. */
    private static final List<String> COMMON = List.of(
            "bin",
            "bout",
            "dresp",
            "hrsp_1xx",
            "hrsp_2xx",
            "hrsp_3xx",
            "hrsp_4xx",
            "hrsp_5xx",
            "hrsp_other",
            "rate",
            "rate_max",
            "scur",
            "slim",
            "smax",
            "stot");

    public static final List<String> FRONTEND_SUM = concat(
            COMMON,
            List.of(
                    "comp_byp",
                    "comp_in",
                    "comp_out",
                    "comp_rsp",
                    "conn_rate",
                    "conn_rate_max",
                    "conn_tot",
                    "dcon",
                    "dses",
                    "dreq",
                    "ereq",
                    "intercepted",
                    "rate_lim",
                    "req_rate",
                    "req_rate_max",
                    "req_tot"));

    public static final List<String> BACKEND_SUM = concat(
            COMMON,
            List.of(
                    "chkdown",
                    "cli_abrt",
                    "comp_byp",
                    "comp_in",
                    "comp_out",
                    "comp_rsp",
                    "downtime",
                    "dreq",
                    "econ",
                    "eresp",
                    "intercepted",
                    "lbtot",
                    "qcur",
                    "qmax",
                    "req_tot",
                    "srv_abrt",
                    "wredis",
                    "wretr"));

    /** Backend fields averaged over every backend row. */
    public static final List<String> BACKEND_MEAN = List.of("act", "bck", "weight");

    public static final List<String> SERVER_SUM = concat(
            COMMON,
            List.of(
                    "chkfail",
                    "chkdown",
                    "cli_abrt",
                    "econ",
                    "eresp",
                    "lbtot",
                    "qcur",
                    "qmax",
                    "srv_abrt",
                    "wredis",
                    "wretr"));

    /** Server fields averaged over every server row. */
    public static final List<String> SERVER_MEAN = List.of("throttle", "weight");

    /** Timings averaged over rows that served traffic (lbtot > 0), for backends and servers. */
    public static final List<String> TIMING_MEAN = List.of("rtime", "ctime", "qtime", "ttime");

    /** {@code show info} fields summed over HAProxy processes. */
    public static final List<String> DAEMON_SUM = List.of(
            "CompressBpsIn",
            "CompressBpsOut",
            "CompressBpsRateLim",
            "ConnRate",
            "ConnRateLimit",
            "CumConns",
            "CumReq",
            "CumSslConns",
            "CurrConns",
            "CurrSslConns",
            "Hard_maxconn",
            "MaxConnRate",
            "MaxSessRate",
            "MaxSslConns",
            "MaxSslRate",
            "MaxZlibMemUsage",
            "Maxconn",
            "Maxpipes",
            "Maxsock",
            "Memmax_MB",
            "PipesFree",
            "PipesUsed",
            "Run_queue",
            "SessRate",
            "SessRateLimit",
            "SslBackendKeyRate",
            "SslBackendMaxKeyRate",
            "SslCacheLookups",
            "SslCacheMisses",
            "SslFrontendKeyRate",
            "SslFrontendMaxKeyRate",
            "SslFrontendSessionReuse_pct",
            "SslRate",
            "SslRateLimit",
            "Tasks",
            "Ulimit-n",
            "ZlibMemUsage");

    /** {@code show info} fields averaged over HAProxy processes. */
    public static final List<String> DAEMON_MEAN = List.of("Idle_pct", "Uptime_sec");

    private static List<String> concat(List<String> a, List<String> b) {
        var out = new ArrayList<String>(a);
        out.addAll(b);
        return List.copyOf(out);
    }
}
