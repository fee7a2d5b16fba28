package io.haproxystats.common.haproxy;

import java.util.List;
import java.util.Set;

/**
 * The HAProxy statistics the processor knows: the numeric {@code show stat} fields (HAProxy's
 * management guide, section 9.1, up to 2.6) that a {@code *-metrics} option may name, and the
 * original's default selections and aggregation lists.
 */
public final class MetricCatalogue {

    private MetricCatalogue() {
    }

    /** Numeric {@code show stat} fields; text fields (status, addr, check_desc...) are not metrics. */
    public static final Set<String> STAT_FIELDS = Set.of(
            "qcur", "qmax", "scur", "smax", "slim", "stot", "bin", "bout", "dreq", "dresp", "ereq", "econ",
            "eresp", "wretr", "wredis", "weight", "act", "bck", "chkfail", "chkdown", "lastchg", "downtime",
            "qlimit", "pid", "iid", "sid", "throttle", "lbtot", "type", "rate", "rate_lim", "rate_max",
            "check_code", "check_duration", "hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx",
            "hrsp_other", "hanafail", "req_rate", "req_rate_max", "req_tot", "cli_abrt", "srv_abrt",
            "comp_in", "comp_out", "comp_byp", "comp_rsp", "lastsess", "qtime", "ctime", "rtime", "ttime",
            "agent_code", "agent_duration", "check_rise", "check_fall", "check_health", "agent_rise",
            "agent_fall", "agent_health", "conn_rate", "conn_rate_max", "conn_tot", "intercepted", "dcon",
            "dses", "wrew", "connect", "reuse", "cache_lookups", "cache_hits", "srv_icur", "src_ilim",
            "qtime_max", "ctime_max", "rtime_max", "ttime_max", "eint", "idle_conn_cur", "safe_conn_cur",
            "used_conn_cur", "need_conn_est", "uweight");

    /** Summed by every part (frontend, backend, server) by default. */
    private static final List<String> COMMON = List.of(
            "bin", "bout", "dresp", "hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx", "hrsp_other",
            "rate", "rate_max", "scur", "slim", "smax", "stot");

    public static final List<String> FRONTEND_SUM = concat(COMMON, List.of(
            "comp_byp", "comp_in", "comp_out", "comp_rsp", "conn_rate", "conn_rate_max", "conn_tot", "dcon",
            "dses", "dreq", "ereq", "intercepted", "rate_lim", "req_rate", "req_rate_max", "req_tot"));

    public static final List<String> BACKEND_SUM = concat(COMMON, List.of(
            "chkdown", "cli_abrt", "comp_byp", "comp_in", "comp_out", "comp_rsp", "downtime", "dreq", "econ",
            "eresp", "intercepted", "lbtot", "qcur", "qmax", "req_tot", "srv_abrt", "wredis", "wretr"));

    /** Backend fields averaged over every backend row. */
    public static final List<String> BACKEND_MEAN = List.of("act", "bck", "weight");

    public static final List<String> SERVER_SUM = concat(COMMON, List.of(
            "chkfail", "chkdown", "cli_abrt", "econ", "eresp", "lbtot", "qcur", "qmax", "srv_abrt", "wredis",
            "wretr"));

    /** Server fields averaged over every server row. */
    public static final List<String> SERVER_MEAN = List.of("throttle", "weight");

    /** Timings averaged over rows that served traffic (lbtot > 0), for backends and servers. */
    public static final List<String> TIMING_MEAN = List.of("rtime", "ctime", "qtime", "ttime");

    /** {@code show info} fields summed over HAProxy processes. */
    public static final List<String> DAEMON_SUM = List.of(
            "CompressBpsIn", "CompressBpsOut", "CompressBpsRateLim", "ConnRate", "ConnRateLimit", "CumConns",
            "CumReq", "CumSslConns", "CurrConns", "CurrSslConns", "Hard_maxconn", "MaxConnRate", "MaxSessRate",
            "MaxSslConns", "MaxSslRate", "MaxZlibMemUsage", "Maxconn", "Maxpipes", "Maxsock", "Memmax_MB",
            "PipesFree", "PipesUsed", "Run_queue", "SessRate", "SessRateLimit", "SslBackendKeyRate",
            "SslBackendMaxKeyRate", "SslCacheLookups", "SslCacheMisses", "SslFrontendKeyRate",
            "SslFrontendMaxKeyRate", "SslFrontendSessionReuse_pct", "SslRate", "SslRateLimit", "Tasks",
            "Ulimit-n", "ZlibMemUsage");

    /** {@code show info} fields averaged over HAProxy processes. */
    public static final List<String> DAEMON_MEAN = List.of("Idle_pct", "Uptime_sec");

    private static List<String> concat(List<String> a, List<String> b) {
        var out = new java.util.ArrayList<String>(a);
        out.addAll(b);
        return List.copyOf(out);
    }
}
