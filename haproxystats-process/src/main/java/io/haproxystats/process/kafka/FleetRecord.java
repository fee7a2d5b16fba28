package io.haproxystats.process.kafka;

import io.haproxystats.common.haproxy.ServersStateAnswer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One record of the servers-state topic (compacted): key {@code <lb>/<backend>/<server>}, value
 * {@code <poll epoch> <cluster or -> <state>[,<state>...]}, a state being
 * {@code <operational>/<administrative>} as {@code haproxystats-pull --show-servers} names them
 * ({@code UP/READY}, {@code DOWN/MAINT}, {@code UP/DRAIN}...). A load balancer whose HAProxy
 * processes see a server differently has each distinct state listed. Text, so that
 * {@code kafka-console-consumer} shows it as it is.
 */
public record FleetRecord(
        String loadBalancer, String backend, String server, long epochSeconds, String cluster, List<String> states) {

    /** The value's cluster when the load balancer has none. */
    public static final String NO_CLUSTER = "-";

    public String key() {
        return loadBalancer + "/" + backend + "/" + server;
    }

    public String value() {
        return epochSeconds + " " + cluster + " " + String.join(",", states);
    }

    /** A load balancer's records for one poll: each server with the states its answers give it, in name order. */
    public static List<FleetRecord> of(
            String lb, long epochSeconds, String cluster, Collection<ServersStateAnswer> answers) {
        SortedMap<String, SortedMap<String, SortedSet<String>>> states = new TreeMap<>();
        for (ServersStateAnswer answer : answers) {
            for (ServersStateAnswer.Row row : answer.rows()) {
                states.computeIfAbsent(row.backend(), k -> new TreeMap<>())
                        .computeIfAbsent(row.server(), k -> new TreeSet<>())
                        .add(row.operational() + "/" + row.admin());
            }
        }
        List<FleetRecord> out = new ArrayList<>();
        states.forEach((backend, servers) -> servers.forEach((server, seen) ->
                out.add(new FleetRecord(lb, backend, server, epochSeconds, cluster, List.copyOf(seen)))));
        return out;
    }

    /** A record read back; empty for one that is not of this form (a tombstone, another writer's). */
    public static Optional<FleetRecord> parse(byte[] key, byte[] value) {
        if (key == null || value == null) {
            return Optional.empty();
        }
        String k = new String(key, StandardCharsets.UTF_8);
        String[] v = new String(value, StandardCharsets.UTF_8).split(" ");
        int last = k.lastIndexOf('/');
        int first = last < 0 ? -1 : k.lastIndexOf('/', last - 1);
        if (first <= 0 || v.length != 3 || v[2].isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new FleetRecord(
                    k.substring(0, first),
                    k.substring(first + 1, last),
                    k.substring(last + 1),
                    Long.parseLong(v[0]),
                    v[1],
                    List.of(v[2].split(","))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
