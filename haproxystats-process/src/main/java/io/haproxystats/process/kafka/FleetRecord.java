package io.haproxystats.process.kafka;

import io.haproxystats.common.haproxy.ServersStateAnswer;
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

    /**
     * The longest part of a key or value read back (a load balancer, backend, server or cluster
     * name): far beyond a real one, and HAProxy sets no bound of its own, so a long name is shown
     * (escaped), not refused.
     */
    public static final int MAX_NAME = 16_384;

    private static final java.util.regex.Pattern EPOCH = java.util.regex.Pattern.compile("[1-9]\\d{0,11}");

    /** A record of the topic that is not of this form. */
    public static final class MalformedException extends Exception {
        MalformedException(String reason) {
            super(reason);
        }
    }

    /**
     * A record read back, checked: the key {@code <lb>/<backend>/<server>} strict UTF-8, each part
     * non-empty, at most {@link #MAX_NAME} characters, without a space, a control character or
     * {@code /} (the load balancer's name may hold {@code /}, never at an end); the value three
     * fields, a positive epoch, a cluster, and states {@code <word>/<word>}, each without a control
     * character. Empty for a tombstone (no value: a retired key). The topic is input: a record
     * another producer wrote must not split the fleet view's lines or pose as a server.
     *
     * @throws MalformedException naming what is wrong, the offending text quoted printable
     */
    public static Optional<FleetRecord> read(byte[] key, byte[] value) throws MalformedException {
        String k = Records.utf8(key).orElseThrow(() -> new MalformedException("the key is missing or not UTF-8"));
        if (value == null) {
            return Optional.empty();
        }
        String quotedKey = "'" + Records.printable(k, 120) + "'";
        int last = k.lastIndexOf('/');
        int first = last < 0 ? -1 : k.lastIndexOf('/', last - 1);
        if (first < 0) {
            throw new MalformedException("the key " + quotedKey + " is not <lb>/<backend>/<server>");
        }
        String lb = k.substring(0, first);
        String backend = k.substring(first + 1, last);
        String server = k.substring(last + 1);
        for (String part : List.of(lb, backend, server)) {
            if (!name(part) || part.startsWith("/") || part.endsWith("/")) {
                throw new MalformedException("the key " + quotedKey
                        + " has an empty part, or one with a space, a control character or a stray '/'");
            }
        }
        String v = Records.utf8(value)
                .orElseThrow(() -> new MalformedException("the value of " + quotedKey + " is not UTF-8"));
        String[] f = v.split(" ", -1);
        String quotedValue = "'" + Records.printable(v, 120) + "'";
        if (f.length != 3) {
            throw new MalformedException(
                    "the value " + quotedValue + " of " + quotedKey + " is not <epoch> <cluster> <states>");
        }
        if (!EPOCH.matcher(f[0]).matches()) {
            throw new MalformedException("the epoch '" + Records.printable(f[0], 40) + "' of " + quotedKey
                    + " is not positive epoch seconds");
        }
        if (!name(f[1])) {
            throw new MalformedException("the cluster in " + quotedValue + " of " + quotedKey + " is not a name");
        }
        List<String> states = List.of(f[2].split(",", -1));
        for (String state : states) {
            int slash = state.indexOf('/');
            if (slash <= 0
                    || slash == state.length() - 1
                    || state.indexOf('/', slash + 1) >= 0
                    || !name(state.replace('/', '_'))) {
                throw new MalformedException("the states in " + quotedValue + " of " + quotedKey
                        + " are not <operational>/<administrative>[,...]");
            }
        }
        return Optional.of(new FleetRecord(lb, backend, server, Long.parseLong(f[0]), f[1], states));
    }

    /** Non-empty, bounded, no space, control or other invisible character. */
    private static boolean name(String s) {
        return !s.isEmpty()
                && s.length() <= MAX_NAME
                && Records.printable(s, MAX_NAME).equals(s)
                && s.indexOf(' ') < 0;
    }

    /** A record read back; empty for one that is not of this form (a tombstone, another writer's). */
    public static Optional<FleetRecord> parse(byte[] key, byte[] value) {
        try {
            return read(key, value);
        } catch (MalformedException e) {
            return Optional.empty();
        }
    }
}
