package io.haproxystats.process.fleet;

import static io.haproxystats.common.testing.Daemons.PROCESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.haproxy.ServersStateAnswerTest;
import io.haproxystats.common.testing.CarbonRelay;
import io.haproxystats.common.testing.Daemons;
import io.haproxystats.common.testing.HaproxyInstance;
import io.haproxystats.common.testing.KafkaCluster;
import io.haproxystats.common.testing.Wait;
import io.haproxystats.process.KafkaEndToEndIT;
import io.haproxystats.process.KafkaFaultsIT;
import io.haproxystats.process.testing.KafkaRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet view against three real HAProxy instances (lb1..lb3, each polled with servers-state
 * and forwarded by its edge), one central processor and a real broker: {@code haproxystats-fleet
 * servers} folds identical lines across the load balancers and answers as a nagios check: 0 all
 * UP/READY, 2 once the test sets a server to maintenance on one HAProxy over its admin socket,
 * 0 again when it is enabled, 1 when a load balancer stops reporting; the launcher's CDS archive
 * trained in the background and then mapped, the output unchanged; hostile records on the topic
 * refused and said apart from the status line; {@code retire} forgetting the stopped load balancer.
 * The set-up is {@link FleetRig}, shared with the fleet page's browser test.
 */
class FleetIT {

    private static final Path FLEET = PROCESS.resolveSibling("haproxystats-fleet");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    record Run(int exit, String out) {}

    @Test
    void serversFoldAcrossLoadBalancersWithNagiosExitCodes() throws Exception {
        try (FleetRig rig = new FleetRig(tmp, "")) {
            Path fleetConf = rig.fleetConf;

            // Until all three have published (a load balancer that never did is unknown to the view).
            Run up = awaitFleetSaying(fleetConf, 0, "\nlb[1-3]: be.app/web-2: UP/READY\n", "--server", "web-2");
            assertEquals(
                    "lb[1-3]: be.app/web-2: UP/READY", up.out().lines().toList().get(1), up.out());
            assertTrue(
                    up.out().startsWith("SERVERS OK: 1 server(s) UP/READY on lb[1-3] | lbs=3 stale_lbs=0 up_ready=3"),
                    up.out());

            // The launcher's class data sharing archive: a first run trains it in the background
            // (its own output unchanged), later runs map it and say the same.
            Path cds = tmp.resolve("cds");
            Run training = fleetCommand(fleetConf, cds, "servers", "--server", "web-2");
            assertEquals(0, training.exit(), training.out());
            assertEquals(
                    up.out().lines().toList().subList(1, 2),
                    training.out().lines().toList().subList(1, 2));
            Wait.until(
                    Duration.ofSeconds(90),
                    () -> {
                        try (java.util.stream.Stream<Path> files = Files.list(cds)) {
                            List<String> names =
                                    files.map(f -> f.getFileName().toString()).toList();
                            return names.size() == 1 && names.get(0).matches("haproxystats-fleet-\\d+\\.jsa");
                        } catch (java.io.IOException e) {
                            return false;
                        }
                    },
                    "the CDS archive in place, its training done");
            Run mapped = fleetCommand(fleetConf, cds, "servers", "--server", "web-2");
            assertEquals(0, mapped.exit(), mapped.out());
            assertEquals(2, mapped.out().lines().count(), "no line from the JVM: " + mapped.out());
            assertTrue(mapped.out().startsWith("SERVERS OK: 1 server(s) UP/READY on lb[1-3] | "), mapped.out());

            HaproxyInstance.cli(rig.haproxies.get(2).socket(), "disable server be.app/web-2");
            Run maint = awaitFleet(fleetConf, 2, "--server", "web-2");
            assertEquals(
                    List.of("lb[1-2]: be.app/web-2: UP/READY", "lb3: be.app/web-2: DOWN/MAINT"),
                    maint.out().lines().toList().subList(1, 3),
                    maint.out());
            assertTrue(maint.out().contains(" maint=1 "), maint.out());
            Run all = fleet(fleetConf, "--cluster", "web");
            assertEquals(2, all.exit(), all.out());
            assertTrue(all.out().contains(": be_other/other: "), "every server without --server: " + all.out());
            assertEquals(3, fleet(fleetConf, "--cluster", "elsewhere").exit(), "no load balancer there: UNKNOWN");

            HaproxyInstance.cli(rig.haproxies.get(2).socket(), "enable server be.app/web-2");
            awaitFleet(fleetConf, 0, "--server", "web-2");

            Daemons.stop(rig.pullers.get("lb3")); // lb3 stops reporting
            // (another load balancer may lag by 3 intervals too on a loaded machine: wait for lb3's line)
            Run stale = awaitFleetSaying(fleetConf, 1, "\nlb3: no servers state for ", "--server", "web-2");
            assertTrue(stale.out().startsWith("SERVERS WARNING: "), stale.out());
            assertTrue(stale.out().lines().findFirst().orElseThrow().contains(" not reported within 3 intervals"));

            // Hostile records from a producer allowed on the topic by mistake: refused, counted, said
            // after the servers; the status line stays one line, and no CRITICAL from a record 3,000
            // years ahead.
            String topic = "haproxystats.servers-state";
            long now = System.currentTimeMillis() / 1000;
            List<org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]>> hostile = new ArrayList<>();
            for (String[] kv : new String[][] {
                {"lb9\nSERVERS OK: all fine/be.app/web-2", now + " web UP/READY"},
                {"lb3//", now + " web UP/READY"},
                {"lb7/be.app/web-2", "99999999999 web DOWN/MAINT"},
                {"lb8/be.app/web-2", "-5 web DOWN/MAINT"}
            }) {
                hostile.add(new org.apache.kafka.clients.producer.ProducerRecord<>(
                        topic, kv[0].getBytes(StandardCharsets.UTF_8), kv[1].getBytes(StandardCharsets.UTF_8)));
            }
            KafkaRecords.produce(rig.kafka.bootstrapServers(), hostile);
            Run refused = awaitFleetSaying(fleetConf, 1, " refused=4\n", "--server", "web-2");
            List<String> lines = refused.out().lines().toList();
            assertTrue(
                    lines.get(0).startsWith("SERVERS WARNING: lb3 not reported within 3 intervals | "), refused.out());
            assertEquals("lb[1-3]: be.app/web-2: UP/READY", lines.get(1), refused.out());
            assertTrue(lines.get(2).startsWith("lb3: no servers state for "), refused.out());
            assertEquals(
                    4,
                    lines.stream().filter(l -> l.startsWith("refused record: ")).count(),
                    refused.out());
            assertTrue(refused.out().contains("the key 'lb9\\u000aSERVERS OK: all fine/be.app/web-2'"), refused.out());
            assertTrue(
                    refused.out().contains("refused record: lb7/be.app/web-2: epoch 99999999999 is "), refused.out());

            // lb3 left the fleet: retired, it is no longer stale (its stray key lb3// goes with it).
            Run retire = fleetCommand(fleetConf, "retire", "lb3");
            assertEquals(0, retire.exit(), retire.out());
            assertTrue(retire.out().startsWith("RETIRE OK: "), retire.out());
            assertTrue(
                    retire.out().contains(" key(s) of load balancer lb3 tombstoned in kafka topic " + topic),
                    retire.out());
            Run retired = fleet(fleetConf, "--server", "web-2");
            assertEquals(0, retired.exit(), retired.out());
            assertEquals(
                    "lb[1-2]: be.app/web-2: UP/READY",
                    retired.out().lines().toList().get(1),
                    retired.out());
            assertTrue(retired.out().lines().findFirst().orElseThrow().endsWith(" refused=3"), retired.out());
            assertTrue(!retired.out().contains("lb3"), retired.out());
            assertEquals(1, fleetCommand(fleetConf, "retire", "lb3").exit(), "nothing left to retire");

            for (Process p : rig.daemons) {
                Daemons.stop(p);
            }
            for (String lb : List.of("lb1", "lb2")) {
                Daemons.stop(rig.pullers.get(lb));
            }
        }
    }

    @Test
    void aServersStateTopicThatRefusesTheRecordsHoldsNoLineBack() throws Exception {
        try (KafkaCluster kafka = KafkaCluster.start(tmp.resolve("kafka"), 2);
                CarbonRelay relay = CarbonRelay.start(tmp)) {
            String bootstrap = kafka.bootstrapServers();
            // Every servers' state record is larger than the topic takes.
            KafkaRecords.createTopic(bootstrap, "haproxystats.servers-state", 1, 1, Map.of("max.message.bytes", "10"));
            Path conf = Files.writeString(
                    tmp.resolve("central.conf"),
                    KafkaEndToEndIT.central(tmp.resolve("central"), bootstrap, relay.port()));
            Path log = tmp.resolve("central.log");
            Process central = Daemons.start(PROCESS, conf, log);
            java.util.SortedMap<String, byte[]> poll = KafkaFaultsIT.smallPoll();
            poll.put(
                    "haproxy1_servers_state",
                    (ServersStateAnswerTest.HEADER + ServersStateAnswerTest.row("be.app", "web-2", 2, 0))
                            .getBytes(StandardCharsets.UTF_8));
            List<org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (long epoch : List.of(1795224218L, 1795224228L, 1795224238L)) {
                records.add(KafkaFaultsIT.pollRecord("lb1", Long.toString(epoch), poll));
            }
            KafkaRecords.produce(bootstrap, records);
            Wait.until(
                    Duration.ofSeconds(60),
                    () -> KafkaEndToEndIT.polls(relay, "lb1").size() == 3,
                    "the three polls' lines at the relay");
            Daemons.stop(central);
            assertTrue(Daemons.read(log).contains("cannot publish servers' states to kafka topic"), Daemons.read(log));
            assertTrue(
                    relay.lines().stream()
                            .anyMatch(l -> l.startsWith("lb.lb1.haproxy.backend.be_app.server.web-2.op_state.UP 1 ")),
                    "the poll's servers-state lines were sent");
            assertEquals(List.of(), KafkaRecords.readAll(bootstrap, "haproxystats.servers-state"));
        }
    }

    /** Runs the fleet view until it exits with {@code code} (the state travels poll, edge, topic). */
    private static Run awaitFleet(Path conf, int code, String... args) throws Exception {
        return awaitFleetSaying(conf, code, "", args);
    }

    /** As above, until the output also contains {@code text}. */
    private static Run awaitFleetSaying(Path conf, int code, String text, String... args) throws Exception {
        Run[] last = {null};
        try {
            Wait.until(
                    Duration.ofSeconds(60),
                    () -> {
                        last[0] = fleet(conf, args);
                        return last[0].exit() == code && last[0].out().contains(text);
                    },
                    "haproxystats-fleet servers " + String.join(" ", args) + " to exit " + code);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; last: " + last[0], e);
        }
        return last[0];
    }

    private static Run fleet(Path conf, String... args) {
        return fleetCommand(conf, "servers", args);
    }

    /** {@code haproxystats-fleet SUBCOMMAND -f conf ARGS...}, the launcher's CDS archive off. */
    private static Run fleetCommand(Path conf, String subcommand, String... args) {
        return fleetCommand(conf, null, subcommand, args);
    }

    /** As above, with the CDS archive in {@code cds} (null: off). */
    private static Run fleetCommand(Path conf, Path cds, String subcommand, String... args) {
        try {
            List<String> cmd = new ArrayList<>(List.of(FLEET.toString(), subcommand, "-f", conf.toString()));
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            if (cds == null) {
                pb.environment().put("HAPROXYSTATS_CDS", "off");
            } else {
                pb.environment().put("HAPROXYSTATS_CDS_DIR", cds.toString());
            }
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            return new Run(p.exitValue(), out);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
