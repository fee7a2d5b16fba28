package io.haproxystats.process.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.haproxy.ServersStateAnswer;
import io.haproxystats.common.haproxy.ServersStateAnswerTest;
import io.haproxystats.process.kafka.FleetRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The fleet view's folding, filters and nagios verdicts, from records as the topic holds them. */
class FleetViewTest {

    private static final long NOW = 1795224300L;
    private static final Duration INTERVAL = Duration.ofSeconds(10);

    private static FleetRecord r(String lb, String backendServer, long epoch, String cluster, String... states) {
        String[] bs = backendServer.split("/");
        FleetRecord record = new FleetRecord(lb, bs[0], bs[1], epoch, cluster, List.of(states));
        // through the topic's bytes and back, as the command reads them
        return FleetRecord.parse(
                        record.key().getBytes(StandardCharsets.UTF_8),
                        record.value().getBytes(StandardCharsets.UTF_8))
                .orElseThrow();
    }

    private static List<FleetRecord> fleet(String lb3State) {
        List<FleetRecord> out = new ArrayList<>();
        for (String lb : List.of("lb1", "lb2", "lb3")) {
            out.add(r(lb, "be_app/web-1", NOW - 5, "web", "UP/READY"));
            out.add(r(lb, "be_app/web-2", NOW - 5, "web", lb.equals("lb3") ? lb3State : "UP/READY"));
        }
        return out;
    }

    private static FleetView.Report view(List<FleetRecord> records, String server, String cluster) {
        return FleetView.of(records, NOW, INTERVAL, Optional.ofNullable(server), Optional.ofNullable(cluster));
    }

    @Test
    void allUpAndAgreeingIsOkWithIdenticalLinesFolded() {
        FleetView.Report report = view(fleet("UP/READY"), null, null);
        assertEquals(0, report.exitCode());
        assertEquals(
                List.of(
                        "SERVERS OK: 2 server(s) UP/READY on lb[1-3] | lbs=3 stale_lbs=0 up_ready=6 maint=0 down=0"
                                + " other=0 disagreements=0",
                        "lb[1-3]: be_app/web-1: UP/READY",
                        "lb[1-3]: be_app/web-2: UP/READY"),
                report.lines());
    }

    @Test
    void aServerInMaintenanceOnOneLoadBalancerIsCritical() {
        FleetView.Report report = view(fleet("DOWN/MAINT"), "web-2", null);
        assertEquals(2, report.exitCode());
        assertEquals(
                List.of("lb[1-2]: be_app/web-2: UP/READY", "lb3: be_app/web-2: DOWN/MAINT"),
                report.lines().subList(1, 3));
        assertTrue(report.lines().get(0).startsWith("SERVERS CRITICAL: 1 server(s) MAINT or DOWN | "));
        assertTrue(report.lines().get(0).contains("maint=1 "), report.lines().get(0));
        assertEquals(3, report.lines().size(), "web-1 filtered out");
    }

    @Test
    void aDrainingServerOrADisagreementIsAWarning() {
        FleetView.Report report = view(fleet("UP/DRAIN"), null, null);
        assertEquals(1, report.exitCode());
        assertTrue(
                report.lines().get(0).contains("seen differently"),
                report.lines().get(0));
    }

    @Test
    void aLoadBalancerSilentForThreeIntervalsIsAWarningAndItsRemovedServersAreGone() {
        List<FleetRecord> records = fleet("UP/READY");
        records.replaceAll(x -> x.loadBalancer().equals("lb2")
                ? r("lb2", x.backend() + "/" + x.server(), NOW - 31, "web", "UP/READY")
                : x);
        records.add(r("lb1", "be_app/web-0", NOW - 500, "web", "DOWN/MAINT")); // removed since
        FleetView.Report report = view(records, null, null);
        assertEquals(1, report.exitCode(), report.lines().toString());
        assertTrue(report.lines().contains("lb2: no servers state for 31 s (last poll " + (NOW - 31) + "): stale"));
        assertTrue(report.lines().get(0).contains("lb2 not reported within 3 intervals"));
        assertTrue(report.lines().stream().noneMatch(l -> l.contains("web-0")), "a removed server is not shown");
    }

    @Test
    void theClusterFilterKeepsItsLoadBalancersOnly() {
        List<FleetRecord> records = fleet("DOWN/MAINT");
        records.add(r("lb9", "be_app/web-1", NOW - 1, "db", "UP/READY"));
        assertEquals(0, view(records, null, "db").exitCode());
        assertEquals(2, view(records, null, "web").exitCode());
        assertEquals(3, view(records, null, "none").exitCode(), "no data is UNKNOWN");
        assertEquals(3, view(List.of(), null, null).exitCode());
    }

    @Test
    void aLoadBalancersRecordsListEveryStateItsProcessesSee() throws Exception {
        ServersStateAnswer process1 = ServersStateAnswer.parse(ServersStateAnswerTest.HEADER
                + ServersStateAnswerTest.row("be.app", "web-2", 2, 0)
                + ServersStateAnswerTest.row("be.app", "web.1", 0, 1));
        ServersStateAnswer process2 = ServersStateAnswer.parse(ServersStateAnswerTest.HEADER
                + ServersStateAnswerTest.row("be.app", "web-2", 2, 8)
                + ServersStateAnswerTest.row("be.app", "web.1", 0, 1));
        List<FleetRecord> records = FleetRecord.of("lb1", NOW, "web", List.of(process1, process2));
        assertEquals(
                List.of(
                        "lb1/be.app/web-2=" + NOW + " web UP/DRAIN,UP/READY",
                        "lb1/be.app/web.1=" + NOW + " web DOWN/MAINT"),
                records.stream().map(r -> r.key() + "=" + r.value()).toList());
        FleetView.Report report = view(records, null, null);
        assertEquals(2, report.exitCode());
        assertEquals(
                List.of("lb1: be.app/web-2: UP/READY", "lb1: be.app/web-2: UP/DRAIN", "lb1: be.app/web.1: DOWN/MAINT"),
                report.lines().subList(1, 4));
    }

    @Test
    void hostNamesFoldIntoRanges() {
        assertEquals("lb[1-3,5]", HostFolding.fold(List.of("lb3", "lb1", "lb2", "lb5")));
        assertEquals("lb3", HostFolding.fold(List.of("lb3")));
        assertEquals("lb[9-10]", HostFolding.fold(List.of("lb10", "lb9")));
        assertEquals("lb[01-02],lb3", HostFolding.fold(List.of("lb01", "lb02", "lb3")));
        assertEquals(
                "ams-lb[1-2].example,edge", HostFolding.fold(List.of("ams-lb2.example", "edge", "ams-lb1.example")));
    }

    /** What the reader says of each record it refuses, as {@code FleetCommand} passes it on. */
    private static String refusal(String key, String value) {
        try {
            FleetRecord.read(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
        } catch (FleetRecord.MalformedException e) {
            return "servers-0@1: " + e.getMessage();
        }
        throw new AssertionError("not refused: " + key + " " + value);
    }

    /**
     * Hostile records of the servers-state topic: a key with a newline, {@code lb3//}, empty parts,
     * epochs -5 and 99999999999. Refused, counted in the perfdata and said after the servers; the
     * status line stays one line, OK, with neither CRITICAL forever nor an absurd staleness.
     */
    @Test
    void hostileRecordsAreRefusedCountedAndNeverReachTheStatusLine() throws Exception {
        List<String> refused = new ArrayList<>();
        refused.add(refusal("lb9\nSERVERS OK/be/srv", (NOW - 5) + " web DOWN/MAINT"));
        refused.add(refusal("lb3//", (NOW - 5) + " web UP/READY"));
        refused.add(refusal("/be_app/web-1", (NOW - 5) + " web UP/READY"));
        refused.add(refusal("lb3/be_app/", (NOW - 5) + " web UP/READY"));
        refused.add(refusal("lb3/be_app/web-1", "-5 web UP/READY"));
        refused.add(refusal("lb3/be_app/web-1", (NOW - 5) + " web UP/READY\nSERVERS OK"));
        refused.add(refusal("lb3/be_app/web 1", (NOW - 5) + " web UP/READY"));
        List<FleetRecord> records = fleet("UP/READY");
        records.add(r("lb4", "be_app/web-2", 99999999999L, "web", "DOWN/MAINT")); // far in the future
        FleetView.Report report = FleetView.of(records, refused, NOW, INTERVAL, Optional.empty(), Optional.empty());
        assertEquals(0, report.exitCode(), report.lines().toString());
        String status = report.lines().get(0);
        assertTrue(status.startsWith("SERVERS OK: 2 server(s) UP/READY on lb[1-3] | "), status);
        assertTrue(status.endsWith(" refused=8"), status);
        List<String> said = report.lines().subList(3, report.lines().size());
        assertEquals(8, said.size(), said.toString());
        for (String line : report.lines()) {
            assertTrue(!line.contains("\n") && !line.contains("\r"), line);
        }
        assertTrue(
                said.get(0).startsWith("refused record: servers-0@1: the key 'lb9\\u000aSERVERS OK/be/srv'"),
                said.get(0));
        assertTrue(
                said.get(4).contains("the epoch '-5' of 'lb3/be_app/web-1' is not positive epoch seconds"),
                said.get(4));
        assertTrue(said.get(7).startsWith("refused record: lb4/be_app/web-2: epoch 99999999999 is "), said.get(7));
        assertTrue(said.get(7).endsWith(" s ahead of this machine's clock"), said.get(7));
    }
}
