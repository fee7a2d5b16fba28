package io.haproxystats.common.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The original haproxystats' built-in defaults (0.5.2), layered under every configuration file
 * exactly as it does ({@code read_dict} before {@code read}). {@code -p} prints this table.
 * Options unset by default ({@code socket-dir}, {@code servers}, the metric lists, groups,
 * {@code [local-store]}) are absent here and have defaults only in the settings records.
 */
public final class Defaults {

    private Defaults() {}

    /** Section to option to value, sections and options in the original's order. */
    public static Map<String, Map<String, String>> table() {
        Map<String, Map<String, String>> t = new LinkedHashMap<>();
        t.put(
                "DEFAULT",
                ordered(
                        "retries", "2",
                        "timeout", "1",
                        "interval", "2",
                        "loglevel", "info"));
        t.put("paths", ordered("base-dir", "/var/lib/haproxystats"));
        t.put(
                "pull",
                ordered(
                        "retries", "1",
                        "timeout", "0.1",
                        "interval", "0.5",
                        "pull-timeout", "2",
                        "pull-interval", "10",
                        "buffer-limit", "6291456",
                        "dst-dir", "/var/lib/haproxystats/incoming",
                        "tmp-dst-dir", "/var/lib/haproxystats/incoming.tmp",
                        "workers", "8",
                        "queue-size", "360"));
        t.put(
                "process",
                ordered(
                        "workers", "4",
                        "src-dir", "/var/lib/haproxystats/incoming",
                        "aggr-server-metrics", "false",
                        "per-process-metrics", "false",
                        "calculate-percentages", "false",
                        "liveness-check-interval", "10"));
        t.put(
                "graphite",
                ordered(
                        "server", "127.0.0.1",
                        "port", "3002",
                        "retries", "3",
                        "interval", "1.8",
                        "connect-timeout", "1.0",
                        "write-timeout", "1.0",
                        "delay", "10",
                        "backoff", "2",
                        "namespace", "loadbalancers",
                        "prefix-hostname", "true",
                        "fqdn", "true",
                        "queue-size", "1000000"));
        return t;
    }

    private static Map<String, String> ordered(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
