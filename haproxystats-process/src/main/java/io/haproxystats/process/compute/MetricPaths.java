package io.haproxystats.process.compute;

import io.haproxystats.common.config.GraphiteSettings;
import io.haproxystats.common.config.GroupSettings;
import io.haproxystats.common.haproxy.GraphiteNames;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every Graphite path the processor writes is built here: the prefix
 * {@code <namespace>.<hostname>.haproxy} (hostname with dots as {@code _} when fqdn, else the short
 * name; left out when prefix-hostname is false), the self metrics under
 * {@code <prefix>.haproxystats.}, the daemon's under {@code <prefix>.daemon.}, frontends, backends
 * and servers (with group namespaces), their {@code .status.<state>} counts and
 * {@code .TotalServers}; and the sanitising of HAProxy names. Pure and immutable.
 */
public final class MetricPaths {

    private final String prefix;
    private final Optional<GroupSettings> groups;

    public MetricPaths(GraphiteSettings graphite, String hostname) {
        StringBuilder p = new StringBuilder(graphite.namespace());
        if (graphite.prefixHostname()) {
            String host = graphite.fqdn() ? hostname.replace('.', '_') : shortName(hostname);
            p.append('.').append(sanitise(host));
        }
        this.prefix = p.append(".haproxy").toString();
        this.groups = graphite.groups();
    }

    public String prefix() {
        return prefix;
    }

    /** {@code <prefix>.haproxystats.<metric>}: the processor's own metrics. */
    public String self(String metric) {
        return prefix + ".haproxystats." + metric;
    }

    /** {@code <prefix>.daemon.}: the base of the daemon ({@code show info}) metrics. */
    String daemonBase() {
        return prefix + ".daemon.";
    }

    /** {@code <base>.status.<state>}: how many rows of a group are in that state. */
    static String status(String base, String state) {
        return base + ".status." + state;
    }

    /** {@code <backend base>.servers.<state>}: how many of a backend's server rows are in that state. */
    static String serversIn(String backendBase, String state) {
        return backendBase + ".servers." + state;
    }

    /** {@code <server base>.op_state.<state>} and {@code .admin_state.<bit>}: the servers-state counts. */
    static String serversState(String serverBase, String kind, String name) {
        return serverBase + "." + kind + "." + name;
    }

    /** {@code <backend base>.TotalServers}: the distinct servers of a backend. */
    static String totalServers(String backendBase) {
        return backendBase + ".TotalServers";
    }

    private static String shortName(String hostname) {
        int dot = hostname.indexOf('.');
        return dot < 0 ? hostname : hostname.substring(0, dot);
    }

    /**
     * Makes a name one Graphite path component: {@code .} becomes {@code _} (the original's rule);
     * also, so that no input can break a line or reach outside its component, whitespace and every
     * other Unicode space (carbon splits a line on U+00A0 too), control and format characters,
     * {@code /} (a directory in carbon's whisper tree) and {@code ;} (the start of Graphite 1.1
     * tags) become {@code _}; a name over 200 bytes of UTF-8 keeps its start and a stable hash
     * suffix (whisper's file names stop at 255 bytes). Anything else, non-ASCII included, is kept.
     * The empty name becomes {@code _}. The rule: {@link GraphiteNames#sanitise}.
     */
    public static String sanitise(String name) {
        return GraphiteNames.sanitise(name);
    }

    /** A server's bases under its backend's: {@code <backend base>.server.<server>}, the name already sanitised. */
    static List<String> serverBases(List<String> backendBases, String sanitisedServer) {
        return appended(backendBases, ".server." + sanitisedServer);
    }

    /** Each name sanitised: what an exclude file's names are compared as (so {@code a.b} excludes {@code a_b} too). */
    static Set<String> sanitiseAll(Collection<String> names) {
        Set<String> out = new HashSet<>();
        names.forEach(n -> out.add(sanitise(n)));
        return out;
    }

    /** Each base with {@code tail} appended. */
    static List<String> appended(List<String> bases, String tail) {
        List<String> out = new ArrayList<>(bases.size());
        for (String b : bases) {
            out.add(b + tail);
        }
        return out;
    }

    /** Where lines of a frontend/backend/aggregated server go: one base path, or two with double writes. */
    List<String> bases(Kind kind, String sanitisedName) {
        String plain = prefix + "." + kind.word + "." + sanitisedName;
        if (groups.isEmpty()) {
            return List.of(plain);
        }
        GroupSettings g = groups.get();
        List<GroupSettings.Group> patterns =
                switch (kind) {
                    case FRONTEND -> g.frontend();
                    case BACKEND -> g.backend();
                    case SERVER -> g.server();
                };
        Optional<String> group = GroupSettings.match(patterns, sanitisedName);
        if (group.isEmpty()) {
            return List.of(plain);
        }
        String grouped = prefix + "." + g.namespace() + "." + group.get() + "." + kind.word + "." + sanitisedName;
        return g.doubleWrites() ? List.of(grouped, plain) : List.of(grouped);
    }

    enum Kind {
        FRONTEND("frontend"),
        BACKEND("backend"),
        SERVER("server");

        private final String word;

        Kind(String word) {
            this.word = word;
        }
    }
}
