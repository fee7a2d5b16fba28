package io.haproxystats.process.compute;

import io.haproxystats.common.config.GraphiteSettings;
import io.haproxystats.common.config.GroupSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one table from a dotted path ({@link MetricPaths}, and the cluster paths
 * {@code <namespace>.cluster.<cluster>.<tail>}) to a series: a metric name and the tags that carry
 * what the path's components carried (docs/metrics.md, "Tagged series"). Graphite's tagged lines
 * ({@code [graphite] format = tags}) and the OpenMetrics endpoint are both made from it, so a
 * series has the same name and tags in both stores.
 *
 * <p>The mapping reads a path as the processor forms it: the namespace (known, dots and all), then
 * either {@code cluster.<cluster>} or {@code [<lb>.]haproxy}, then one of the tails
 * {@code haproxystats.<M>}, {@code daemon[.process.<K>].<F>}, {@code [<group-namespace>.<group>.]}
 * {@code frontend|backend|server.<name>...}. HAProxy names are one component each (sanitised: no
 * dot), so a tail is read by its length and its fixed words. A path it cannot read (none the
 * processor forms) gives {@code null}.
 *
 * <p>Tag values obey Graphite 1.1's rules and the stricter ones: {@code ;}, {@code ~},
 * {@code !}, {@code ^}, {@code =}, whitespace and control characters become {@code _} (the dotted
 * paths' sanitising already replaced {@code .}, {@code /}, {@code ;} and whitespace), and an empty
 * value becomes {@code _}. A cluster named {@code haproxy} cannot be told from a load balancer named
 * {@code cluster} ({@code <ns>.cluster.haproxy.<tail>}): the path is read as the load balancer's.
 * Pure and immutable.
 */
public final class SeriesMapping {

    /** A series: the metric name ({@code haproxy.server.rtime}) and its tags, in the table's order. */
    public record Series(String name, List<Tag> tags) {

        public Series {
            tags = List.copyOf(tags);
        }

        /** Graphite 1.1's tagged form: {@code name;key=value;...} (carbon sorts the tags itself). */
        public String graphite() {
            StringBuilder out = new StringBuilder(name);
            for (Tag t : tags) {
                out.append(';').append(t.key()).append('=').append(t.value());
            }
            return out.toString();
        }
    }

    /** One tag; the value already obeys Graphite's rules ({@link #tagValue}). */
    public record Tag(String key, String value) {}

    private final String namespace;
    private final String namespaceTag;
    private final boolean prefixHostname;
    private final Optional<String> groupNamespace;

    public SeriesMapping(GraphiteSettings graphite) {
        this.namespace = graphite.namespace();
        this.namespaceTag = tagValue(graphite.namespace());
        this.prefixHostname = graphite.prefixHostname();
        this.groupNamespace = graphite.groups().map(GroupSettings::namespace);
    }

    /** The tagged form of a dotted path, or the path itself when the table has no row for it. */
    public String graphite(String path) {
        Series s = series(path);
        return s == null ? path : s.graphite();
    }

    /** The series of a dotted path, or null when the table has no row for it. */
    public Series series(String path) {
        if (!path.startsWith(namespace)
                || path.length() <= namespace.length() + 1
                || path.charAt(namespace.length()) != '.') {
            return null;
        }
        String[] c = path.substring(namespace.length() + 1).split("\\.", -1);
        List<Tag> tags = new ArrayList<>(6);
        tags.add(new Tag("namespace", namespaceTag));
        String base;
        int i;
        if (c.length >= 3 && c[0].equals("cluster") && !(prefixHostname && c[1].equals("haproxy"))) {
            tags.add(new Tag("cluster", tagValue(c[1])));
            base = "haproxy.cluster.";
            i = 2;
        } else if (prefixHostname) {
            if (c.length < 3 || !c[1].equals("haproxy")) {
                return null;
            }
            tags.add(new Tag("lb", tagValue(c[0])));
            base = "haproxy.";
            i = 2;
        } else {
            if (c.length < 2 || !c[0].equals("haproxy")) {
                return null;
            }
            base = "haproxy.";
            i = 1;
        }
        String tail = tail(c, i, tags);
        return tail == null ? null : new Series(base + tail, tags);
    }

    /** The name's tail for {@code c[i..]}, its tags added; null when no row reads it. */
    private String tail(String[] c, int i, List<Tag> tags) {
        int n = c.length - i;
        if (n < 2) {
            return null;
        }
        switch (c[i]) {
            case "haproxystats":
                return n == 2 ? "haproxystats." + c[i + 1] : null;
            case "daemon":
                if (n == 2) {
                    return "daemon." + c[i + 1];
                }
                if (n == 4 && c[i + 1].equals("process")) {
                    tags.add(new Tag("process", tagValue(c[i + 2])));
                    return "daemon.process." + c[i + 3];
                }
                return null;
            case "frontend":
                return proxy("frontend", c, i, tags);
            case "backend":
                return proxy("backend", c, i, tags);
            case "server":
                return proxy("server", c, i, tags);
            default:
                if (groupNamespace.isPresent() && c[i].equals(groupNamespace.get()) && n >= 4) {
                    tags.add(new Tag("group", tagValue(c[i + 1])));
                    return switch (c[i + 2]) {
                        case "frontend", "backend", "server" -> proxy(c[i + 2], c, i + 2, tags);
                        default -> null;
                    };
                }
                return null;
        }
    }

    /** {@code <kind>.<name>.<rest>}: a frontend's, backend's (with its servers) or aggregated server's lines. */
    private static String proxy(String kind, String[] c, int i, List<Tag> tags) {
        int n = c.length - i;
        if (n < 3) {
            return null;
        }
        String tagKey = kind;
        String nameKind = kind.equals("server") ? "aggr_server" : kind; // P.server.<srv>: across every backend
        tags.add(new Tag(tagKey, tagValue(c[i + 1])));
        if (n == 3) {
            return nameKind + "." + c[i + 2];
        }
        if (n == 4 && c[i + 2].equals("status")) {
            tags.add(new Tag("status", tagValue(c[i + 3])));
            return nameKind + ".status";
        }
        if (n == 5 && c[i + 2].equals("timers")) { // request timers ([logs]): the timer a tag
            tags.add(new Tag("timer", tagValue(c[i + 3])));
            return nameKind + ".timers." + c[i + 4];
        }
        if (!kind.equals("backend")) {
            return null;
        }
        if (c[i + 2].equals("servers")) {
            if (n == 4) {
                tags.add(new Tag("status", tagValue(c[i + 3])));
                return "backend.servers.status";
            }
            if (n == 5 && isStateKind(c[i + 3])) {
                tags.add(new Tag(c[i + 3], tagValue(c[i + 4])));
                return "backend.servers." + c[i + 3];
            }
            return null;
        }
        if (c[i + 2].equals("server") && n >= 5) {
            tags.add(new Tag("server", tagValue(c[i + 3])));
            if (n == 5) {
                return "server." + c[i + 4];
            }
            if (n == 6 && (c[i + 4].equals("status") || isStateKind(c[i + 4]))) {
                tags.add(new Tag(c[i + 4], tagValue(c[i + 5])));
                return "server." + c[i + 4];
            }
            if (n == 7 && c[i + 4].equals("timers")) {
                tags.add(new Tag("timer", tagValue(c[i + 5])));
                return "server.timers." + c[i + 6];
            }
        }
        return null;
    }

    private static boolean isStateKind(String word) {
        return word.equals("op_state") || word.equals("admin_state");
    }

    /**
     * A value Graphite 1.1 accepts as a tag value and that cannot break a tag: {@code ;} (the next
     * tag), {@code =} (the key's end), {@code ~}, {@code !} and {@code ^} (graphite-web's match
     * operators), whitespace and control characters each become {@code _}; the empty value becomes
     * {@code _}. Anything else, non-ASCII included, is kept.
     */
    public static String tagValue(String value) {
        if (value.isEmpty()) {
            return "_";
        }
        StringBuilder out = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean bad = c == ';'
                    || c == '='
                    || c == '~'
                    || c == '!'
                    || c == '^'
                    || c <= ' '
                    || c == 0x7f
                    || Character.isWhitespace(c)
                    || Character.isSpaceChar(c)
                    || Character.isISOControl(c);
            if (bad) {
                if (out == null) {
                    out = new StringBuilder(value.length()).append(value, 0, i);
                }
                out.append('_');
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? value : out.toString();
    }

    /** The batch with every line's path in tagged form (a path without a row is kept); timestamp and source kept. */
    public MetricBatch tagged(MetricBatch batch) {
        return batch.withPaths(this::graphite);
    }
}
