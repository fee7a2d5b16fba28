package io.haproxystats.process.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.process.kafka.FleetRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The page, its live part and the JSON, rendered from records as the topic holds them. */
class FleetPageTest {

    private static final long NOW = 1795224300L;
    private static final Duration INTERVAL = Duration.ofSeconds(10);
    static final String HOSTILE = "<script>alert(\"x\")</script>'\"&amp;" + "w".repeat(10_000);

    static List<FleetRecord> fleet(String lb3State) {
        List<FleetRecord> out = new ArrayList<>();
        for (String lb : List.of("lb1", "lb2", "lb3")) {
            out.add(new FleetRecord(lb, "be_app", "web-1", NOW - 5, "web", List.of("UP/READY")));
            out.add(new FleetRecord(
                    lb, "be_app", "web-2", NOW - 5, "web", List.of(lb.equals("lb3") ? lb3State : "UP/READY")));
        }
        return out;
    }

    static FleetFeed.Snapshot snapshot(List<FleetRecord> records, boolean connected, long contactMillis) {
        TreeMap<String, List<FleetFeed.ClusterWindow>> clusters = new TreeMap<>();
        clusters.put(
                "web",
                List.of(
                        new FleetFeed.ClusterWindow(NOW - 10, 2, 3, 1, 0),
                        new FleetFeed.ClusterWindow(NOW - 20, 3, 3, 0, 0)));
        return new FleetFeed.Snapshot(
                1,
                records,
                clusters,
                contactMillis,
                true,
                connected,
                connected ? Optional.empty() : Optional.of("gone"),
                List.of());
    }

    static FleetPage.Model model(List<FleetRecord> records, Map<String, String> query) {
        FleetPage.Filters f = FleetPage.Filters.of(query);
        FleetView.Analysis a = f.analyse(records, List.of(), NOW, INTERVAL);
        return new FleetPage.Model(
                a, snapshot(records, true, NOW * 1000), f, new TreeSet<>(clustersOf(records)), NOW * 1000);
    }

    @Test
    void theSummaryHasTheCheckVerdictAndTheRowsAreFoldedAsTheCheckPrintsThem() {
        List<FleetRecord> records = fleet("DOWN/MAINT");
        String page = FleetPage.page(model(records, Map.of()));
        FleetView.Report check = FleetView.of(records, NOW, INTERVAL, Optional.empty(), Optional.empty());
        assertEquals(FleetView.CRITICAL, check.exitCode());
        String verdict = check.lines().get(0).substring(0, check.lines().get(0).indexOf(" | "));
        assertTrue(page.contains("<h1 id=\"verdict\">" + verdict + "</h1>"), page);
        assertTrue(page.contains("class=\"verdict critical\""), page);
        assertTrue(
                page.contains("<div class=\"st st-ready\">lb[1-2]: UP/READY</div>"
                        + "<div class=\"st st-maint\">lb3: DOWN/MAINT</div>"),
                page);
        assertTrue(page.contains("<div class=\"st st-ready\">lb[1-3]: UP/READY</div>"), page);
        // problems first: web-2 (disagreeing) before web-1
        assertTrue(page.indexOf(">web-2<") < page.indexOf(">web-1<"), page);
        assertTrue(page.contains("MAINT <b id=\"c-maint\">1</b>"), page);
        assertTrue(page.contains("<b id=\"c-reporting\">3</b> reporting"), page);
        assertTrue(page.contains("<span class=\"window short\" title=\"window " + (NOW - 10) + "\">2/3</span>"), page);
        // the page's only script and style are its own files: nothing inline, nothing from elsewhere
        assertEquals(1, count(page, "<script"), page);
        assertTrue(page.contains("<script src=\"static/fleet.js\" defer></script>"));
        assertFalse(page.contains("style="), page);
        assertFalse(page.contains("http://") || page.contains("https://"), page);
    }

    @Test
    void everyNameIsTextNotMarkup() {
        List<FleetRecord> records = new ArrayList<>(fleet("UP/READY"));
        records.add(new FleetRecord("lb1", "be_\"x'<b>", HOSTILE, NOW - 5, "web", List.of("DOWN/MAINT")));
        records.add(new FleetRecord("<img src=x>", "be_app", "web-1", NOW - 5, "c<i>", List.of("UP/READY")));
        String page = FleetPage.page(model(records, Map.of("server", "<script>")));
        assertEquals(1, count(page, "<script"), "only the page's own script element");
        assertFalse(page.contains("<b>") || page.contains("<i>") || page.contains("<img"), page);
        assertTrue(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&quot;&amp;amp;www"), page);
        assertTrue(page.contains("value=\"&lt;script&gt;\""), "the filter's value, escaped in its attribute");
        assertTrue(page.contains("<small id=\"shown\">1 of 1 shown"), "the hostile row is the one shown");
        String other = FleetPage.page(model(records, Map.of("cluster", "\"><b>")));
        assertTrue(
                other.contains("<option selected value=\"&quot;&gt;&lt;b&gt;\">&quot;&gt;&lt;b&gt;</option>"), other);
        assertTrue(other.contains("<option value=\"c&lt;i&gt;\">"), "a cluster of the topic: " + other);
        String json = FleetPage.servers(model(records, Map.of()));
        assertFalse(json.contains("<"), "no '<' at all in the JSON");
        assertTrue(json.contains(
                "\"server\":\"\\u003cscript\\u003ealert(\\\"x\\\")\\u003c/script\\u003e'\\\"\\u0026amp;w"));
    }

    @Test
    void filtersNarrowTheTableAndTheClusterFilterIsTheChecksCluster() {
        List<FleetRecord> records = new ArrayList<>(fleet("UP/DRAIN"));
        records.add(new FleetRecord("lb9", "be_other", "db-1", NOW - 5, "db", List.of("DOWN/MAINT")));
        FleetPage.Model all = model(records, Map.of());
        assertEquals(FleetView.CRITICAL, all.analysis().exitCode());
        assertEquals(3, all.rows().size());
        assertEquals(List.of("web-2", "db-1", "web-1"), names(all), "problems first, each in backend/server order");

        FleetPage.Model web = model(records, Map.of("cluster", "web"));
        FleetView.Report check = FleetView.of(records, NOW, INTERVAL, Optional.empty(), Optional.of("web"));
        assertEquals(check.exitCode(), web.analysis().exitCode());
        assertEquals(check.lines(), web.analysis().lines());
        assertEquals(FleetView.WARNING, web.analysis().exitCode());

        // backend, server and cluster narrow the verdict as --server and --cluster do; state only the table
        FleetPage.Model web2 = model(records, Map.of("server", "web-2"));
        assertEquals(
                FleetView.of(records, NOW, INTERVAL, Optional.of("web-2"), Optional.empty())
                        .lines(),
                web2.analysis().lines());
        assertEquals(
                FleetView.OK,
                model(records, Map.of("server", "web-1")).analysis().exitCode());
        assertEquals(
                "SERVERS UNKNOWN: no server with 'nothing' on lb[1-3,9]",
                model(records, Map.of("server", "nothing")).analysis().verdict());
        FleetPage.Model up = model(records, Map.of("state", "UP"));
        assertEquals(FleetView.CRITICAL, up.analysis().exitCode(), "hiding problems does not hide the verdict");
        assertEquals(List.of("web-2"), names(model(records, Map.of("state", "DRAIN"))));
        assertEquals(List.of("web-2", "db-1"), names(model(records, Map.of("state", "problems"))));
        assertEquals(List.of("web-2", "web-1"), names(model(records, Map.of("state", "UP"))));
        assertEquals(List.of("db-1"), names(model(records, Map.of("backend", "OTHER"))));
        assertEquals(List.of("web-1"), names(model(records, Map.of("server", "EB-1"))));
        assertEquals(List.of("web-2", "db-1", "web-1"), names(model(records, Map.of("state", "nonsense"))));
        assertEquals(
                "?backend=be+app&server=%3Cs%3E&cluster=web&state=MAINT",
                FleetPage.Filters.of(Map.of("backend", " be app ", "server", "<s>", "cluster", "web", "state", "MAINT"))
                        .query());
        String page = FleetPage.page(model(records, Map.of("cluster", "web", "state", "DRAIN")));
        assertTrue(page.contains("<option value=\"web\" selected>web</option>"), page);
        assertTrue(page.contains("<option value=\"DRAIN\" selected>DRAIN</option>"), page);
        assertTrue(page.contains("DRAIN <b id=\"c-drain\">1</b>"), page);
    }

    /**
     * Records the feed refused (not of the topic's form) and records dated ahead of this machine's
     * clock are counted on the page, in the status line and in the API exactly as the check counts
     * them, the first ones said with their reason, not dropped silently.
     */
    @Test
    void refusedRecordsAreCountedAsTheCheckCountsThem() {
        List<FleetRecord> records = new ArrayList<>(fleet("UP/READY"));
        records.add(new FleetRecord("lb7", "be_app", "web-2", 99_999_999_999L, "web", List.of("UP/READY")));
        List<String> byReader = List.of(
                "haproxystats.servers-state-0@4: no key",
                "haproxystats.servers-state-0@5: the key 'lb2//<b>' is not <lb>/<backend>/<server>");
        FleetPage.Filters f = FleetPage.Filters.of(Map.of());
        FleetFeed.Snapshot fine = snapshot(records, true, NOW * 1000);
        FleetFeed.Snapshot refused = new FleetFeed.Snapshot(
                fine.version(),
                fine.records(),
                fine.clusters(),
                fine.contactMillis(),
                true,
                true,
                Optional.empty(),
                byReader);
        FleetView.Analysis a = f.analyse(records, byReader, NOW, INTERVAL);
        FleetPage.Model model = new FleetPage.Model(a, refused, f, new TreeSet<>(clustersOf(records)), NOW * 1000);
        String page = FleetPage.page(model);
        FleetView.Report check = FleetView.of(records, byReader, NOW, INTERVAL, Optional.empty(), Optional.empty());
        assertEquals(check.lines().get(0), a.lines().get(0), "the page's status line is the check's");
        assertTrue(check.lines().get(0).endsWith(" refused=3"), check.lines().get(0));
        assertTrue(
                page.contains("<p id=\"refused\" class=\"problem\">3 records of the servers-state topic left out"
                        + " (not of its form, or dated ahead of this machine's clock; <code>haproxystats-fleet"
                        + " servers</code> lists them all)</p>"),
                page);
        assertTrue(page.contains("<li>haproxystats.servers-state-0@4: no key</li>"), page);
        assertTrue(page.contains("is not &lt;lb&gt;/&lt;backend&gt;/&lt;server&gt;</li>"), page);
        assertTrue(page.contains("<li>lb7/be_app/web-2: epoch 99999999999 is "), page);
        assertTrue(!page.contains("<b>"), "escaped");
        assertTrue(FleetPage.servers(model).contains("\"refused\":3"), FleetPage.servers(model));
        FleetPage.Model none = model(fleet("UP/READY"), Map.of());
        assertTrue(!FleetPage.page(none).contains("id=\"refused\""));
        assertTrue(FleetPage.servers(none).contains("\"refused\":0"));
    }

    @Test
    void aStaleLoadBalancerAndALostKafkaLinkAreSaid() {
        List<FleetRecord> records = new ArrayList<>(fleet("UP/READY"));
        records.replaceAll(r -> r.loadBalancer().equals("lb3")
                ? new FleetRecord("lb3", r.backend(), r.server(), NOW - 42, r.cluster(), r.states())
                : r);
        FleetPage.Filters f = FleetPage.Filters.of(Map.of());
        FleetView.Analysis a = f.analyse(records, List.of(), NOW, INTERVAL);
        String live = FleetPage.live(
                new FleetPage.Model(a, snapshot(records, false, (NOW - 42) * 1000), f, new TreeSet<>(), NOW * 1000));
        assertTrue(live.contains("<tr class=\"problem stale\"><td class=\"name\">lb3</td>"), live);
        assertTrue(live.contains("<td class=\"lbstate\">stale</td>"), live);
        assertTrue(live.contains("<b id=\"c-stale\">1</b> stale"), live);
        assertTrue(
                live.contains("Kafka unreachable: data as of <span class=\"age\" data-epoch=\"" + (NOW - 42)
                        + "\">42 s</span> ago (gone)"),
                live);
        assertTrue(live.contains("class=\"verdict warning\""), live);
        String json = FleetPage.servers(
                new FleetPage.Model(a, snapshot(records, false, (NOW - 42) * 1000), f, new TreeSet<>(), NOW * 1000));
        assertTrue(
                json.contains(
                        "\"kafka\":{\"connected\":false,\"caughtUp\":true,\"asOf\":" + (NOW - 42) + ",\"refused\":0}"),
                json);
        assertTrue(json.contains("{\"name\":\"lb3\",\"cluster\":\"web\",\"epoch\":" + (NOW - 42) + ",\"stale\":true}"));
    }

    @Test
    void theJsonHasTheChecksStatusLineAndEveryRow() {
        List<FleetRecord> records = fleet("DOWN/MAINT");
        String json = FleetPage.servers(model(records, Map.of()));
        FleetView.Report check = FleetView.of(records, NOW, INTERVAL, Optional.empty(), Optional.empty());
        assertTrue(json.startsWith("{\"status\":" + FleetPage.json(check.lines().get(0)) + ",\"exitCode\":2,"), json);
        assertTrue(
                json.contains("{\"backend\":\"be_app\",\"server\":\"web-2\",\"problem\":true,\"oldestEpoch\":"
                        + (NOW - 5) + ",\"states\":[{\"state\":\"UP/READY\",\"folded\":\"lb[1-2]\","
                        + "\"loadBalancers\":[\"lb1\",\"lb2\"]},{\"state\":\"DOWN/MAINT\",\"folded\":\"lb3\","
                        + "\"loadBalancers\":[\"lb3\"]}]}"),
                json);
        String clusters = FleetPage.clusters(model(records, Map.of()));
        assertEquals(
                "{\"clusters\":[{\"name\":\"web\",\"loadBalancers\":[\"lb1\",\"lb2\",\"lb3\"],\"windows\":["
                        + "{\"start\":" + (NOW - 10)
                        + ",\"members\":2,\"expected\":3,\"latePolls\":1,\"futurePolls\":0},"
                        + "{\"start\":" + (NOW - 20)
                        + ",\"members\":3,\"expected\":3,\"latePolls\":0,\"futurePolls\":0}"
                        + "]}]}\n",
                clusters);
    }

    @Test
    void htmlAndJsonEscapes() {
        assertEquals("a&lt;b&gt;&amp;&quot;&#39;", FleetPage.html("a<b>&\"'"));
        assertEquals("plain", FleetPage.html("plain"));
        assertEquals("\"\\u003c/script\\u003e\\\"\\\\\\n\\u0001\"", FleetPage.json("</script>\"\\\n\u0001"));
    }

    private static List<String> clustersOf(List<FleetRecord> records) {
        return records.stream().map(FleetRecord::cluster).toList();
    }

    private static List<String> names(FleetPage.Model m) {
        return m.rows().stream().map(FleetView.Row::server).toList();
    }

    private static int count(String s, String part) {
        Matcher m = Pattern.compile(Pattern.quote(part)).matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
