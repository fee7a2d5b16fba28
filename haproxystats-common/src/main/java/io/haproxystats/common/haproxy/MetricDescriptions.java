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

    private static final Set<String> STAT_COUNTERS = Set.of(
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
