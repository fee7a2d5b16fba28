package io.haproxystats.process.fleet;

import io.haproxystats.process.kafka.FleetRecord;
import io.haproxystats.process.kafka.Records;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * The fleet page, its live part and the JSON API, rendered from a {@link FleetView.Analysis} and
 * the feed's {@link FleetFeed.Snapshot}. Pure (the clock is in the model). Every name that comes
 * from HAProxy or Kafka (load balancers, clusters, backends, servers, states) is operator input:
 * in HTML it goes through {@link #html}, in JSON through {@link #json}, and the page has no inline
 * script or style, so a name like {@code <script>} is text and the Content-Security-Policy
 * ({@link #CSP}) would stop what escaping missed.
 */
final class FleetPage {

    /** Scripts, styles and the event stream from this server only; nothing else at all. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    static final String READY = "UP/READY";

    /** The refused records said one by one on the page; the count says them all. */
    static final int REFUSALS_SHOWN = 10;

    /**
     * The page's filters, from its URL: {@code backend} and {@code server} are found anywhere in
     * the name (case-insensitive), {@code cluster} is a cluster's exact name; these three narrow the
     * verdict too, as {@code haproxystats-fleet servers --server} and {@code --cluster} do.
     * {@code state} (one of {@link #STATES}) narrows the table only: hiding the servers in
     * maintenance must not turn the verdict OK.
     */
    record Filters(String backend, String server, String cluster, String state) {

        static final List<String> STATES = List.of("", "problems", "UP", "DOWN", "MAINT", "DRAIN", "other");

        static Filters of(Map<String, String> query) {
            String state = query.getOrDefault("state", "");
            return new Filters(
                    clip(query.get("backend")),
                    clip(query.get("server")),
                    clip(query.get("cluster")),
                    STATES.contains(state) ? state : "");
        }

        private static String clip(String s) {
            return s == null ? "" : s.strip().length() > 1000 ? s.strip().substring(0, 1000) : s.strip();
        }

        Optional<String> clusterFilter() {
            return cluster.isEmpty() ? Optional.empty() : Optional.of(cluster);
        }

        /** The servers the verdict counts: those of the backend and server filters. */
        boolean counts(FleetRecord r) {
            return contains(r.backend(), backend) && contains(r.server(), server);
        }

        /** The servers the table shows: those counted, of the state filter. */
        boolean keeps(FleetView.Row row) {
            return contains(row.backend(), backend) && contains(row.server(), server) && stateKeeps(row);
        }

        /** The filters of the verdict, for its message when no server is kept. */
        String what() {
            return (backend.isEmpty() ? "" : "in a backend with '" + backend + "' ")
                    + (server.isEmpty() ? "" : "with '" + server + "'");
        }

        /**
         * The verdict and the rows for these filters; {@code refusedByReader} are the records the
         * feed left out ({@link FleetFeed.Snapshot#refused}), counted in the verdict as the CLI counts them.
         */
        FleetView.Analysis analyse(
                java.util.Collection<FleetRecord> records,
                List<String> refusedByReader,
                long nowSeconds,
                java.time.Duration interval) {
            return FleetView.analyse(
                    records, refusedByReader, nowSeconds, interval, this::counts, what().strip(), clusterFilter());
        }

        private boolean stateKeeps(FleetView.Row row) {
            Set<String> states = row.states().keySet();
            return switch (state) {
                case "problems" -> row.problem();
                case "UP" -> states.contains(READY);
                case "DOWN" -> states.stream().anyMatch(s -> s.startsWith("DOWN/"));
                case "MAINT" -> states.stream().anyMatch(s -> s.endsWith("/MAINT"));
                case "DRAIN" -> states.stream().anyMatch(s -> s.endsWith("/DRAIN"));
                case "other" -> states.stream().anyMatch(s -> kind(s).equals("other"));
                default -> true;
            };
        }

        private static boolean contains(String name, String part) {
            return part.isEmpty() || name.toLowerCase(Locale.ROOT).contains(part.toLowerCase(Locale.ROOT));
        }

        /** The query string that gives these filters ({@code ?backend=...}), empty when none is set. */
        String query() {
            List<String> parts = new ArrayList<>();
            for (var p : List.of(
                    List.of("backend", backend),
                    List.of("server", server),
                    List.of("cluster", cluster),
                    List.of("state", state))) {
                if (!p.get(1).isEmpty()) {
                    parts.add(p.get(0) + "=" + URLEncoder.encode(p.get(1), StandardCharsets.UTF_8));
                }
            }
            return parts.isEmpty() ? "" : "?" + String.join("&", parts);
        }
    }

    /**
     * @param analysis    the verdict for the filters ({@link Filters#analyse})
     * @param allClusters every cluster in the topic, for the filter's choices
     * @param nowMillis   the server's clock when rendered
     */
    record Model(
            FleetView.Analysis analysis,
            FleetFeed.Snapshot feed,
            Filters filters,
            SortedSet<String> allClusters,
            long nowMillis) {

        /** The rows the filters keep: problems first, then the others, each in backend/server order. */
        List<FleetView.Row> rows() {
            List<FleetView.Row> problems = new ArrayList<>();
            List<FleetView.Row> fine = new ArrayList<>();
            for (FleetView.Row row : analysis.rows()) {
                if (filters.keeps(row)) {
                    (row.problem() ? problems : fine).add(row);
                }
            }
            problems.addAll(fine);
            return problems;
        }
    }

    private FleetPage() {}

    /** The whole page: the filters form and the live part, which the script replaces from the event stream. */
    static String page(Model m) {
        StringBuilder b = new StringBuilder(4096 + m.analysis().rows().size() * 200);
        Filters f = m.filters();
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>")
                .append(html(shortVerdict(m.analysis())))
                .append(" - haproxystats fleet</title>")
                .append("<link rel=\"stylesheet\" href=\"static/fleet.css\">")
                .append("<script src=\"static/fleet.js\" defer></script></head>\n<body>\n")
                .append("<header><span class=\"brand\">haproxystats fleet</span>")
                .append("<form id=\"filters\" method=\"get\" action=\"\">")
                .append("<label>Backend <input name=\"backend\" id=\"f-backend\" value=\"")
                .append(html(f.backend()))
                .append("\"></label> <label>Server <input name=\"server\" id=\"f-server\" value=\"")
                .append(html(f.server()))
                .append("\"></label> <label>Cluster <select name=\"cluster\" id=\"f-cluster\">")
                .append("<option value=\"\">all</option>");
        for (String c : m.allClusters()) {
            b.append("<option value=\"")
                    .append(html(c))
                    .append('"')
                    .append(c.equals(f.cluster()) ? " selected" : "")
                    .append('>')
                    .append(html(c))
                    .append("</option>");
        }
        if (!f.cluster().isEmpty() && !m.allClusters().contains(f.cluster())) {
            b.append("<option selected value=\"").append(html(f.cluster())).append("\">");
            b.append(html(f.cluster())).append("</option>");
        }
        b.append("</select></label> <label>State <select name=\"state\" id=\"f-state\">");
        for (String s : Filters.STATES) {
            b.append("<option value=\"")
                    .append(s)
                    .append('"')
                    .append(s.equals(f.state()) ? " selected" : "")
                    .append('>')
                    .append(s.isEmpty() ? "all" : s)
                    .append("</option>");
        }
        b.append("</select></label> <button type=\"submit\">Filter</button> <a href=\"./\">clear</a></form>")
                .append("</header>\n<p id=\"conn\" class=\"lost\" hidden>The page lost its link to the server;"
                        + " trying again.</p>\n<main id=\"live\">");
        live(b, m);
        b.append("</main>\n<footer>Read-only view of the servers-state topic; the same verdict as"
                        + " <code>haproxystats-fleet servers</code>. JSON: <a href=\"api/servers")
                .append(html(f.query()))
                .append("\">api/servers</a>, <a href=\"api/clusters\">api/clusters</a>.</footer>\n</body></html>\n");
        return b.toString();
    }

    /** The live part alone, as the event stream sends it. */
    static String live(Model m) {
        StringBuilder b = new StringBuilder(2048 + m.analysis().rows().size() * 200);
        live(b, m);
        return b.toString();
    }

    private static void live(StringBuilder b, Model m) {
        // Most servers are seen by the same load balancers: fold each set once.
        Map<Set<String>, String> folded = new java.util.HashMap<>();
        FleetView.Analysis a = m.analysis();
        FleetFeed.Snapshot feed = m.feed();
        long now = m.nowMillis() / 1000;
        b.append("<div id=\"state\" data-now=\"")
                .append(now)
                .append("\" data-code=\"")
                .append(a.exitCode())
                .append("\"></div>\n<section id=\"summary\" class=\"verdict ")
                .append(codeName(a.exitCode()))
                .append("\"><h1 id=\"verdict\">")
                .append(html(a.verdict()))
                .append("</h1>\n<ul class=\"counts\">")
                .append("<li>Load balancers <b id=\"c-reporting\">")
                .append(a.latest().size() - a.stale().size())
                .append("</b> reporting, <b id=\"c-stale\">")
                .append(a.stale().size())
                .append("</b> stale</li>");
        count(b, "up", "UP", a.up());
        count(b, "down", "DOWN", a.down());
        count(b, "maint", "MAINT", a.maint());
        count(b, "drain", "DRAIN", a.drain());
        count(b, "other", "other", a.other());
        count(b, "disagreements", "disagreements", a.disagreements());
        b.append("</ul>\n<p id=\"kafka\" class=\"");
        if (!feed.connected()) {
            b.append("lost\">Kafka unreachable: data as of ");
            if (feed.contactMillis() == 0) {
                b.append("never (not read yet)");
            } else {
                age(b, feed.contactMillis() / 1000, now);
                b.append(" ago");
            }
            feed.problem().ifPresent(p -> b.append(" (").append(html(p)).append(')'));
        } else if (!feed.caughtUp()) {
            b.append("loading\">Kafka: reading the servers-state topic...");
        } else {
            b.append("ok\">Kafka: connected, live");
        }
        b.append("</p>");
        List<String> refused = a.refused();
        if (!refused.isEmpty()) {
            // The check's refused=: records not of the topic's form and records dated ahead of this
            // machine's clock; the first few said with their reason, as the check prints them.
            b.append("<p id=\"refused\" class=\"problem\">")
                    .append(refused.size())
                    .append(refused.size() == 1 ? " record" : " records")
                    .append(" of the servers-state topic left out (not of its form, or dated ahead of this"
                            + " machine's clock; <code>haproxystats-fleet servers</code> lists them all)</p>"
                            + "<ul id=\"refused-records\" class=\"problem\">");
            for (String line : refused.subList(0, Math.min(REFUSALS_SHOWN, refused.size()))) {
                b.append("<li>").append(html(Records.printable(line, 300))).append("</li>");
            }
            b.append("</ul>");
        }
        b.append("</section>\n");

        b.append("<section id=\"clusters-section\"><h2>Clusters</h2>");
        SortedMap<String, List<FleetFeed.ClusterWindow>> windows = feed.clusters();
        java.util.SortedMap<String, java.util.SortedSet<String>> lbsOf = new java.util.TreeMap<>();
        a.clusters().forEach((lb, c) -> lbsOf.computeIfAbsent(c, k -> new java.util.TreeSet<>())
                .add(lb));
        java.util.SortedSet<String> names = new java.util.TreeSet<>(lbsOf.keySet());
        names.remove(FleetRecord.NO_CLUSTER);
        windows.keySet().stream()
                .filter(c ->
                        m.filters().cluster().isEmpty() || c.equals(m.filters().cluster()))
                .forEach(names::add);
        if (names.isEmpty()) {
            b.append("<p>No load balancer in a cluster.</p>");
        } else {
            b.append("<table id=\"clusters\"><thead><tr><th>Cluster</th><th>Load balancers</th>")
                    .append("<th>Members / Expected, latest window first</th><th>Late polls</th></tr></thead><tbody>");
            for (String c : names) {
                List<FleetFeed.ClusterWindow> w = windows.getOrDefault(c, List.of());
                boolean short_ = !w.isEmpty() && w.get(0).members() < w.get(0).expected();
                b.append("<tr").append(short_ ? " class=\"problem\"" : "").append("><td class=\"name\">");
                b.append(html(c)).append("</td><td>");
                b.append(html(HostFolding.fold(lbsOf.getOrDefault(c, new java.util.TreeSet<>()))));
                b.append("</td><td class=\"windows\">");
                if (w.isEmpty()) {
                    b.append("no window closed yet (is [cluster] aggregate on?)");
                }
                for (FleetFeed.ClusterWindow x : w) {
                    b.append("<span class=\"window")
                            .append(x.members() < x.expected() ? " short" : "")
                            .append("\" title=\"window ")
                            .append(x.startSeconds())
                            .append("\">")
                            .append(x.members())
                            .append('/')
                            .append(x.expected())
                            .append("</span> ");
                }
                b.append("</td><td>");
                b.append(
                        w.isEmpty()
                                ? ""
                                : Long.toString(w.stream()
                                        .mapToLong(FleetFeed.ClusterWindow::latePolls)
                                        .sum()));
                b.append("</td></tr>");
            }
            b.append("</tbody></table>");
        }
        b.append("</section>\n");

        b.append("<section id=\"lbs-section\"><h2>Load balancers</h2><table id=\"lbs\"><thead><tr>")
                .append("<th>Load balancer</th><th>Cluster</th><th>Last poll</th><th>State</th></tr></thead><tbody>");
        List<String> order = new ArrayList<>(a.stale());
        a.latest().keySet().stream().filter(lb -> !a.stale().contains(lb)).forEach(order::add);
        for (String lb : order) {
            boolean stale = a.stale().contains(lb);
            b.append("<tr").append(stale ? " class=\"problem stale\"" : "").append("><td class=\"name\">");
            b.append(html(lb))
                    .append("</td><td>")
                    .append(html(a.clusters().get(lb)))
                    .append("</td><td>");
            age(b, a.latest().get(lb), now);
            b.append(" ago</td><td class=\"lbstate\">")
                    .append(stale ? "stale" : "reporting")
                    .append("</td></tr>");
        }
        b.append("</tbody></table></section>\n");

        List<FleetView.Row> rows = m.rows();
        b.append("<section id=\"servers-section\"><h2>Servers <small id=\"shown\">")
                .append(rows.size())
                .append(" of ")
                .append(a.rows().size())
                .append(" shown, problems first</small></h2>")
                .append("<table id=\"servers\"><thead><tr><th>Backend</th><th>Server</th>")
                .append("<th>State by load balancer</th><th>Age</th></tr></thead><tbody>");
        for (FleetView.Row row : rows) {
            b.append("<tr").append(row.problem() ? " class=\"problem\"" : "").append("><td class=\"backend\">");
            b.append(html(row.backend())).append("</td><td class=\"server\">");
            b.append(html(row.server())).append("</td><td class=\"states\">");
            row.states().forEach((state, lbs) -> b.append("<div class=\"st st-")
                    .append(kind(state))
                    .append("\">")
                    .append(html(folded.computeIfAbsent(lbs, HostFolding::fold) + ": " + state))
                    .append("</div>"));
            b.append("</td><td>");
            age(b, row.oldestEpoch(), now);
            b.append("</td></tr>\n");
        }
        b.append("</tbody></table></section>\n");
    }

    private static void count(StringBuilder b, String id, String label, int n) {
        b.append("<li class=\"")
                .append(id)
                .append(n > 0 ? " some" : "")
                .append("\">")
                .append(label)
                .append(" <b id=\"c-")
                .append(id)
                .append("\">")
                .append(n)
                .append("</b></li>");
    }

    /** An age the script keeps counting: the epoch in an attribute, the seconds as text. */
    private static void age(StringBuilder b, long epoch, long now) {
        b.append("<span class=\"age\" data-epoch=\"")
                .append(epoch)
                .append("\">")
                .append(Math.max(0, now - epoch))
                .append(" s</span>");
    }

    static String kind(String state) {
        if (state.equals(READY)) {
            return "ready";
        } else if (state.endsWith("/MAINT")) {
            return "maint";
        } else if (state.startsWith("DOWN/")) {
            return "down";
        } else if (state.endsWith("/DRAIN")) {
            return "drain";
        }
        return "other";
    }

    static String codeName(int code) {
        return switch (code) {
            case FleetView.OK -> "ok";
            case FleetView.WARNING -> "warning";
            case FleetView.CRITICAL -> "critical";
            default -> "unknown";
        };
    }

    private static String shortVerdict(FleetView.Analysis a) {
        String v = a.verdict();
        int colon = v.indexOf(':');
        return colon < 0 ? v : v.substring(0, colon);
    }

    /** {@code /api/servers}: the verdict, the counts, the load balancers and the rows the filters keep. */
    static String servers(Model m) {
        Map<Set<String>, String> folded = new java.util.HashMap<>();
        FleetView.Analysis a = m.analysis();
        FleetFeed.Snapshot feed = m.feed();
        StringBuilder b = new StringBuilder(1024 + a.rows().size() * 160);
        b.append("{\"status\":").append(json(a.lines().get(0)));
        b.append(",\"exitCode\":").append(a.exitCode());
        b.append(",\"now\":").append(m.nowMillis() / 1000);
        b.append(",\"kafka\":{\"connected\":").append(feed.connected());
        b.append(",\"caughtUp\":").append(feed.caughtUp());
        b.append(",\"asOf\":").append(feed.contactMillis() / 1000);
        b.append(",\"refused\":").append(a.refused().size()).append('}');
        b.append(",\"counts\":{\"loadBalancers\":").append(a.latest().size());
        b.append(",\"stale\":").append(a.stale().size());
        b.append(",\"up\":").append(a.up());
        b.append(",\"down\":").append(a.down());
        b.append(",\"maint\":").append(a.maint());
        b.append(",\"drain\":").append(a.drain());
        b.append(",\"other\":").append(a.other());
        b.append(",\"disagreements\":").append(a.disagreements()).append('}');
        b.append(",\"loadBalancers\":[");
        String sep = "";
        for (var e : a.latest().entrySet()) {
            b.append(sep).append("{\"name\":").append(json(e.getKey()));
            b.append(",\"cluster\":").append(json(a.clusters().get(e.getKey())));
            b.append(",\"epoch\":").append(e.getValue());
            b.append(",\"stale\":").append(a.stale().contains(e.getKey())).append('}');
            sep = ",";
        }
        b.append("],\"servers\":[");
        sep = "";
        for (FleetView.Row row : m.rows()) {
            b.append(sep).append("{\"backend\":").append(json(row.backend()));
            b.append(",\"server\":").append(json(row.server()));
            b.append(",\"problem\":").append(row.problem());
            b.append(",\"oldestEpoch\":").append(row.oldestEpoch());
            b.append(",\"states\":[");
            String sep2 = "";
            for (var s : row.states().entrySet()) {
                b.append(sep2).append("{\"state\":").append(json(s.getKey()));
                b.append(",\"folded\":").append(json(folded.computeIfAbsent(s.getValue(), HostFolding::fold)));
                b.append(",\"loadBalancers\":[");
                String sep3 = "";
                for (String lb : s.getValue()) {
                    b.append(sep3).append(json(lb));
                    sep3 = ",";
                }
                b.append("]}");
                sep2 = ",";
            }
            b.append("]}");
            sep = ",";
        }
        b.append("]}\n");
        return b.toString();
    }

    /** {@code /api/clusters}: each cluster's load balancers and its latest closed windows. */
    static String clusters(Model m) {
        FleetView.Analysis a = m.analysis();
        java.util.SortedMap<String, java.util.SortedSet<String>> lbsOf = new java.util.TreeMap<>();
        a.clusters().forEach((lb, c) -> lbsOf.computeIfAbsent(c, k -> new java.util.TreeSet<>())
                .add(lb));
        java.util.SortedSet<String> names = new java.util.TreeSet<>(lbsOf.keySet());
        names.addAll(m.feed().clusters().keySet());
        StringBuilder b = new StringBuilder("{\"clusters\":[");
        String sep = "";
        for (String c : names) {
            b.append(sep).append("{\"name\":").append(json(c)).append(",\"loadBalancers\":[");
            String sep2 = "";
            for (String lb : lbsOf.getOrDefault(c, new java.util.TreeSet<>())) {
                b.append(sep2).append(json(lb));
                sep2 = ",";
            }
            b.append("],\"windows\":[");
            sep2 = "";
            for (FleetFeed.ClusterWindow w : m.feed().clusters().getOrDefault(c, List.of())) {
                b.append(sep2).append("{\"start\":").append(w.startSeconds());
                b.append(",\"members\":").append(w.members());
                b.append(",\"expected\":").append(w.expected());
                b.append(",\"latePolls\":").append(w.latePolls());
                b.append(",\"futurePolls\":").append(w.futurePolls()).append('}');
                sep2 = ",";
            }
            b.append("]}");
            sep = ",";
        }
        b.append("]}\n");
        return b.toString();
    }

    /** Text as HTML text or attribute value: {@code & < > " '} escaped. */
    static String html(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String r =
                    switch (c) {
                        case '&' -> "&amp;";
                        case '<' -> "&lt;";
                        case '>' -> "&gt;";
                        case '"' -> "&quot;";
                        case '\'' -> "&#39;";
                        default -> null;
                    };
            if (r != null && b == null) {
                b = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (b != null) {
                if (r != null) {
                    b.append(r);
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? s : b.toString();
    }

    /** A JSON string; {@code < > &} escaped too, so that the text is inert even where it is taken for HTML. */
    static String json(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> b.append(String.format("\\u%04x", (int) c));
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
