package io.haproxystats.process.fleet;

import static io.haproxystats.common.testing.Daemons.PROCESS;
import static io.haproxystats.common.testing.Daemons.PULL;

import io.haproxystats.common.testing.CarbonRelay;
import io.haproxystats.common.testing.Daemons;
import io.haproxystats.common.testing.HaproxyInstance;
import io.haproxystats.common.testing.KafkaCluster;
import io.haproxystats.process.KafkaEndToEndIT;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fleet tests' set-up: a real broker, a carbon-c-relay, one central processor and three real
 * HAProxy instances (lb1..lb3, cluster {@code web}), each polled every second with servers-state by
 * its puller and forwarded by its edge processor; {@link #fleetConf} is what an operator's machine
 * has (the brokers and the pull interval). Closing stops everything it started.
 */
final class FleetRig implements AutoCloseable {

    final KafkaCluster kafka;
    final CarbonRelay relay;
    final List<HaproxyInstance> haproxies = new ArrayList<>();
    final Map<String, Process> pullers = new TreeMap<>();
    final List<Process> daemons = new ArrayList<>();
    final Path fleetConf;

    /** @param centralExtra more configuration for the central processor ({@code [cluster] aggregate = true}) */
    FleetRig(Path tmp, String centralExtra) throws Exception {
        kafka = KafkaCluster.start(tmp.resolve("kafka"), 2);
        try {
            relay = CarbonRelay.start(tmp);
        } catch (Exception e) {
            kafka.close();
            throw e;
        }
        try {
            String bootstrap = kafka.bootstrapServers();
            Path centralConf = Files.writeString(
                    tmp.resolve("central.conf"),
                    KafkaEndToEndIT.central(tmp.resolve("central"), bootstrap, relay.port()) + centralExtra);
            daemons.add(Daemons.start(PROCESS, centralConf, tmp.resolve("central.log")));
            for (String lb : KafkaEndToEndIT.LBS) {
                Path run = Files.createDirectories(tmp.resolve("run-" + lb));
                haproxies.add(HaproxyInstance.start(run, lb));
                Path conf = Files.writeString(
                        tmp.resolve(lb + ".conf"),
                        KafkaEndToEndIT.edge(tmp.resolve(lb), run, bootstrap, lb)
                                        .replace("[pull]\n", "[pull]\ncommands = info stat servers-state\n")
                                + "cluster = web\n");
                daemons.add(Daemons.start(PROCESS, conf, tmp.resolve(lb + "-edge.log")));
                pullers.put(lb, Daemons.start(PULL, conf, tmp.resolve(lb + "-pull.log")));
            }
            fleetConf = Files.writeString(
                    tmp.resolve("fleet.conf"),
                    "[pull]\npull-interval = 1\n[kafka]\nbootstrap-servers = " + bootstrap + "\n");
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    String bootstrap() {
        return kafka.bootstrapServers();
    }

    /** Stops the daemons (SIGTERM, then SIGKILL after 30 s), HAProxy, the relay and the broker. */
    @Override
    public void close() throws Exception {
        List<Process> all = new ArrayList<>(pullers.values());
        all.addAll(daemons);
        for (Process p : all) {
            p.destroy();
            if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
        for (HaproxyInstance h : haproxies) {
            h.close();
        }
        if (relay != null) {
            relay.close();
        }
        kafka.close();
    }
}
