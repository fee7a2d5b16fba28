package io.haproxystats.common.haproxy;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What each metric the processor sends is, for stores that want to know (the OpenMetrics
 * endpoint's {@code # TYPE}, {@code # UNIT} and {@code # HELP}): a counter (only grows between
 * restarts of HAProxy) or a gauge, its unit and one line of help. Counters are the catalogue's
 * counter fields ({@code show stat typed} tag C: {@link MetricCatalogue#STAT_FIELDS}' first group)
 * and the daemon's {@code Cum*} and cache totals; everything else (gauges, rates, limits, maxima,
 * averages, configured values, counts of states, the self metrics) is a gauge. Units follow the
 * management guide: bytes, milliseconds for the timings, seconds for ages, downtime and the
 * processor's own timings, megabytes for {@code Memmax_MB}.
 */
public final class MetricDescriptions {

    private MetricDescriptions() {}

    /** A metric's nature. */
    public enum Kind {
        COUNTER,
        GAUGE
    }

    /** Its nature, unit ({@code ""}: none) and help. */
    public record Description(Kind kind, String unit, String help) {}

    private static final Set<String> STAT_COUNTERS = Set.copyOf(MetricCatalogue.COUNTERS);

    private static final Set<String> DAEMON_COUNTERS =
            Set.of("CumConns", "CumReq", "CumSslConns", "SslCacheLookups", "SslCacheMisses");

    private static final Map<String, String> UNITS = units();

    private static final Map<String, String> HELP = help();

    /**
     * The description of a metric by its last name component (a {@code show stat} or
     * {@code show info} field, a self metric, {@code status}/{@code op_state}/{@code admin_state}
     * for the state counts); an unknown name (a module column) is a gauge without unit.
     */
    public static Description describe(String field) {
        boolean counter = STAT_COUNTERS.contains(field) || DAEMON_COUNTERS.contains(field);
        String help = HELP.get(field);
        if (help == null) {
            help = field.startsWith("Cum") ? "show info " + field : "HAProxy field " + field;
        }
        return new Description(counter ? Kind.COUNTER : Kind.GAUGE, UNITS.getOrDefault(field, ""), help);
    }

    private static Map<String, String> units() {
        Map<String, String> m = new HashMap<>();
        for (String f : new String[] {"bin", "bout", "comp_in", "comp_out", "comp_byp"}) {
            m.put(f, "bytes");
        }
        for (String f : new String[] {
            "qtime",
            "ctime",
            "rtime",
            "ttime",
            "qtime_max",
            "ctime_max",
            "rtime_max",
            "ttime_max",
            "check_duration",
            "agent_duration"
        }) {
            m.put(f, "milliseconds");
        }
        for (String f : new String[] {
            "downtime",
            "lastchg",
            "lastsess",
            "Uptime_sec",
            "TotalWallClockTime",
            "WallClockTimeAllStats",
            "WallClockTimeHAProxy",
            "WallClockTimeFrontends",
            "WallClockTimeBackends",
            "WallClockTimeServers",
            "OpenMetricsLastScrapeSeconds"
        }) {
            m.put(f, "seconds");
        }
        m.put("Memmax_MB", "megabytes");
        return Map.copyOf(m);
    }

    private static Map<String, String> help() {
        String[] pairs = {
            "qcur", "requests queued, not yet assigned to a server",
            "qmax", "largest queued requests (summed over processes)",
            "scur", "current sessions",
            "smax", "largest current sessions (summed over processes)",
            "slim", "configured session limit",
            "stot", "sessions",
            "bin", "bytes in",
            "bout", "bytes out",
            "dreq", "requests denied for security reasons",
            "dresp", "responses denied for security reasons",
            "ereq", "request errors",
            "econ", "errors connecting to a server",
            "eresp", "response errors",
            "wretr", "connection retries",
            "wredis", "redispatches to another server",
            "weight", "server weight (backend: total weight)",
            "act", "active servers (server: 1 when active)",
            "bck", "backup servers (server: 1 when backup)",
            "chkfail", "failed health checks",
            "chkdown", "UP to DOWN transitions",
            "lastchg", "seconds since the last UP/DOWN transition",
            "downtime", "total downtime",
            "qlimit", "configured queue limit",
            "throttle", "current throttle percentage (slowstart)",
            "lbtot", "times the server was selected",
            "rate", "sessions per second over the last second",
            "rate_lim", "configured limit on new sessions per second",
            "rate_max", "largest new sessions per second",
            "hrsp_1xx", "HTTP responses with a 1xx code",
            "hrsp_2xx", "HTTP responses with a 2xx code",
            "hrsp_3xx", "HTTP responses with a 3xx code",
            "hrsp_4xx", "HTTP responses with a 4xx code",
            "hrsp_5xx", "HTTP responses with a 5xx code",
            "hrsp_other", "HTTP responses with another code (protocol error)",
            "req_rate", "HTTP requests per second over the last second",
            "req_rate_max", "largest HTTP requests per second",
            "req_tot", "HTTP requests",
            "cli_abrt", "transfers aborted by the client",
            "srv_abrt", "transfers aborted by the server",
            "comp_in", "HTTP response bytes fed to the compressor",
            "comp_out", "HTTP response bytes emitted by the compressor",
            "comp_byp", "bytes that bypassed the HTTP compressor",
            "comp_rsp", "HTTP responses that were compressed",
            "lastsess", "seconds since the last session assigned to the server or backend",
            "qtime", "average queue time over the last 1024 requests",
            "ctime", "average connect time over the last 1024 requests",
            "rtime", "average response time over the last 1024 requests",
            "ttime", "average total session time over the last 1024 requests",
            "conn_rate", "connections per second over the last second",
            "conn_rate_max", "largest connections per second",
            "conn_tot", "connections",
            "intercepted", "requests intercepted by the frontend (stats, redirects)",
            "dcon", "connections rejected by tcp-request connection rules",
            "dses", "sessions rejected by tcp-request session rules",
            "status", "rows (processes) in this state",
            "op_state", "rows (processes) whose srv_op_state is this state",
            "admin_state", "rows (processes) with this srv_admin_state bit",
            "TotalServers", "distinct servers of the backend",
            "Idle_pct", "idle time percentage (mean over processes)",
            "Uptime_sec", "uptime (mean over processes)",
            "CpuUsagePct", "100 - Idle_pct",
            "CurrConns", "current connections",
            "Maxconn", "configured connection limit",
            "ConnRate", "connections per second",
            "SessRate", "sessions per second",
            "Run_queue", "tasks in the run queue",
            "Tasks", "tasks",
            "CompressBpsIn", "bits per second fed to the compressor",
            "CompressBpsOut", "bits per second emitted by the compressor",
            "CompressBpsRateLim", "configured compression rate limit",
            "ConnRateLimit", "configured connections per second limit",
            "CumConns", "connections accepted",
            "CumReq", "requests received",
            "CumSslConns", "SSL/TLS connections accepted",
            "CurrSslConns", "current SSL/TLS connections",
            "Hard_maxconn", "hard connection limit",
            "MaxConnRate", "largest connections per second",
            "MaxSessRate", "largest sessions per second",
            "MaxSslConns", "configured SSL/TLS connection limit",
            "MaxSslRate", "largest SSL/TLS sessions per second",
            "MaxZlibMemUsage", "configured compression memory limit",
            "Maxpipes", "configured pipe limit",
            "Maxsock", "file descriptor limit",
            "Memmax_MB", "configured memory limit",
            "PipesFree", "free pipes",
            "PipesUsed", "used pipes",
            "SessRateLimit", "configured sessions per second limit",
            "SslBackendKeyRate", "backend SSL/TLS key computations per second",
            "SslBackendMaxKeyRate", "largest backend SSL/TLS key computations per second",
            "SslCacheLookups", "SSL/TLS session cache lookups",
            "SslCacheMisses", "SSL/TLS session cache misses",
            "SslFrontendKeyRate", "frontend SSL/TLS key computations per second",
            "SslFrontendMaxKeyRate", "largest frontend SSL/TLS key computations per second",
            "SslFrontendSessionReuse_pct", "frontend SSL/TLS session reuse percentage",
            "SslRate", "SSL/TLS sessions per second",
            "SslRateLimit", "configured SSL/TLS sessions per second limit",
            "Ulimit-n", "file descriptor limit (ulimit -n)",
            "ZlibMemUsage", "memory used by compression",
            "25PercentileCpuUsagePct", "25th percentile of CpuUsagePct over processes",
            "50PercentileCpuUsagePct", "median of CpuUsagePct over processes",
            "75PercentileCpuUsagePct", "75th percentile of CpuUsagePct over processes",
            "95PercentileCpuUsagePct", "95th percentile of CpuUsagePct over processes",
            "99PercentileCpuUsagePct", "99th percentile of CpuUsagePct over processes",
            "StdCpuUsagePct", "standard deviation of CpuUsagePct over processes",
            "ConnPercentage", "CurrConns as a percentage of Maxconn",
            "ConnRatePercentage", "ConnRate as a percentage of ConnRateLimit",
            "SslConnPercentage", "CurrSslConns as a percentage of MaxSslConns",
            "SslRatePercentage", "SslRate as a percentage of SslRateLimit",
            "WallClockTimeHAProxy", "seconds to name and format the daemon lines",
            "WallClockTimeFrontends", "seconds to name and format the frontend lines",
            "WallClockTimeBackends", "seconds to name and format the backend lines",
            "WallClockTimeServers", "seconds to name and format the server lines",
            "KafkaQueuedLines", "lines waiting for Kafka when the poll was computed",
            "KafkaDroppedLines", "lines dropped under the overflow rule since the start (Kafka)",
            "KafkaReconnects", "Kafka reconnections since the start",
            "check_duration", "duration of the last health check",
            "agent_duration", "duration of the last agent check",
            "qtime_max", "largest queue time",
            "ctime_max", "largest connect time",
            "rtime_max", "largest response time",
            "ttime_max", "largest total session time",
            "MetricsHAProxy", "lines sent for the daemon part of the poll",
            "MetricsFrontend", "lines sent for the frontends of the poll",
            "MetricsBackend", "lines sent for the backends of the poll",
            "MetricsServer", "lines sent for the servers of the poll",
            "TotalWallClockTime", "seconds to read, parse and aggregate the poll",
            "WallClockTimeAllStats", "seconds to parse and group the show stat answers",
            "DeadSockets", "sockets left out of the poll: nothing listened there",
            "GraphiteQueuedLines", "lines waiting for Graphite when the poll was computed",
            "GraphiteDroppedLines", "lines dropped under the overflow rule since the start",
            "GraphiteReconnects", "Graphite reconnections since the start",
            "OpenMetricsScrapes", "scrapes of the OpenMetrics endpoint served since the start",
            "OpenMetricsLastScrapeSeconds", "seconds the last scrape of the OpenMetrics endpoint took",
            "Members", "load balancers of the cluster with a poll in the window",
            "Expected", "load balancers seen in any of the last expected-windows windows",
            "LatePolls", "polls refused since the previous lines: their window had closed",
            "FuturePolls", "polls refused since the previous lines: ahead of the clock",
        };
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return Map.copyOf(m);
    }
}
