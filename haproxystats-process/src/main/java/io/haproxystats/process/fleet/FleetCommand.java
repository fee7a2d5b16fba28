package io.haproxystats.process.fleet;

import io.haproxystats.common.cli.Logging;
import io.haproxystats.common.cli.Signals;
import io.haproxystats.common.cli.VersionProvider;
import io.haproxystats.common.config.ClusterSettings;
import io.haproxystats.common.config.ConfigLoader;
import io.haproxystats.common.config.ConfigPrinter;
import io.haproxystats.common.config.ConfigurationException;
import io.haproxystats.common.config.EffectiveConfig;
import io.haproxystats.common.config.FleetSettings;
import io.haproxystats.common.config.KafkaSettings;
import io.haproxystats.common.config.KnownOptions;
import io.haproxystats.common.config.ProcessConfig;
import io.haproxystats.common.http.HttpEndpoint;
import io.haproxystats.process.kafka.FleetRecord;
import io.haproxystats.process.kafka.KafkaClients;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code haproxystats-fleet}: read-only views of the whole fleet from Kafka. {@code servers}
 * reads the servers-state topic the central processors fill and prints every server's state
 * across the load balancers, folded, as a nagios check: 0 when every load balancer agrees and
 * every server is UP/READY, 1 when a load balancer has not reported within three pull intervals
 * or they disagree, 2 when a server is MAINT or DOWN anywhere, 3 when it cannot tell (no data,
 * Kafka unreachable, a configuration error). {@code serve} is the same view as a live web page
 * and JSON ({@link FleetServer}). Neither writes to HAProxy or to Kafka.
 */
@Command(
        name = "haproxystats-fleet",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        subcommands = {FleetCommand.Servers.class, FleetCommand.Serve.class},
        description = "Read-only views of the load balancers' fleet, from Kafka.")
public final class FleetCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new FleetCommand());
        // nagios: anything this command cannot tell is UNKNOWN (3), never CRITICAL (2, picocli's usage code)
        cl.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println("SERVERS UNKNOWN: " + ex.getMessage());
            ex.getCommandLine().usage(ex.getCommandLine().getErr());
            return FleetView.UNKNOWN;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("SERVERS UNKNOWN: " + ex.getMessage());
            commandLine.getErr().flush();
            return FleetView.UNKNOWN;
        });
        return cl;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return FleetView.UNKNOWN;
    }

    @Command(
            name = "servers",
            mixinStandardHelpOptions = true,
            versionProvider = VersionProvider.class,
            description = "Every server's state on every load balancer, identical lines folded; nagios exit codes.")
    static final class Servers implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(
                names = {"-f", "--file"},
                paramLabel = "FILE",
                defaultValue = "/etc/haproxystats.conf",
                description = "configuration file: [kafka] bootstrap-servers, servers-topic, client.*; "
                        + "[pull] pull-interval (default: ${DEFAULT-VALUE})")
        Path file;

        @Option(names = "--server", paramLabel = "NAME", description = "only this server (NAME or BACKEND/NAME)")
        String server;

        @Option(names = "--cluster", paramLabel = "NAME", description = "only the load balancers of this cluster")
        String cluster;

        @Option(
                names = "--timeout",
                paramLabel = "SECONDS",
                defaultValue = "8",
                description = "give up reading Kafka after this long, UNKNOWN (default: ${DEFAULT-VALUE}, under"
                        + " nagios' 10 s)")
        int timeoutSeconds;

        @Override
        public Integer call() {
            if (timeoutSeconds < 1) { // 0 was read as 1 s: say it instead of running on another value
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--timeout must be at least 1 second, got " + timeoutSeconds);
            }
            Logging.silence(); // the first line of the output is nagios' status line, nothing before it
            PrintWriter out = spec.commandLine().getOut();
            EffectiveConfig config;
            KafkaSettings kafka;
            try {
                config = ConfigLoader.load(file, null);
                kafka = KafkaSettings.from(config);
            } catch (ConfigurationException e) {
                out.println("SERVERS UNKNOWN: configuration error: " + e.getMessage());
                out.flush();
                return FleetView.UNKNOWN;
            }
            if (kafka.bootstrapServers().isEmpty()) {
                out.println("SERVERS UNKNOWN: [kafka] bootstrap-servers is not set in " + file);
                out.flush();
                return FleetView.UNKNOWN;
            }
            List<FleetRecord> records;
            try {
                records = read(kafka, Duration.ofSeconds(Math.max(1, timeoutSeconds)));
            } catch (KafkaException | IllegalStateException e) {
                out.println("SERVERS UNKNOWN: cannot read kafka topic " + kafka.serversTopic() + ": " + e.getMessage());
                out.flush();
                return FleetView.UNKNOWN;
            }
            FleetView.Report report = FleetView.of(
                    records,
                    System.currentTimeMillis() / 1000,
                    ProcessConfig.pullInterval(config),
                    Optional.ofNullable(server),
                    Optional.ofNullable(cluster));
            report.lines().forEach(out::println);
            out.flush();
            return report.exitCode();
        }

        /** The topic's records from its start to its end now (compacted: each key's latest at least). */
        private static List<FleetRecord> read(KafkaSettings kafka, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            Properties p = KafkaClients.fleetReader(kafka, timeout);
            List<FleetRecord> out = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
                var infos = c.partitionsFor(kafka.serversTopic(), left(deadline));
                if (infos == null || infos.isEmpty()) {
                    return out;
                }
                List<TopicPartition> partitions = infos.stream()
                        .map(i -> new TopicPartition(kafka.serversTopic(), i.partition()))
                        .toList();
                c.assign(partitions);
                c.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = c.endOffsets(partitions, left(deadline));
                while (partitions.stream().anyMatch(tp -> c.position(tp, left(deadline)) < end.get(tp))) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(
                                "not read to its end within --timeout " + timeout.toSeconds() + " s");
                    }
                    c.poll(Duration.ofMillis(200))
                            .forEach(r -> FleetRecord.parse(r.key(), r.value()).ifPresent(out::add));
                }
            }
            return out;
        }

        private static Duration left(long deadline) {
            return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
        }
    }

    @Command(
            name = "serve",
            mixinStandardHelpOptions = true,
            versionProvider = VersionProvider.class,
            description = "A live web page (and JSON) of every server on every load balancer, from Kafka; read-only.")
    static final class Serve implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(
                names = {"-f", "--file"},
                paramLabel = "FILE",
                defaultValue = "/etc/haproxystats.conf",
                description = "configuration file: [fleet], [kafka] bootstrap-servers, servers-topic, client.*; "
                        + "[pull] pull-interval; [cluster] (default: ${DEFAULT-VALUE})")
        Path file;

        @Option(
                names = "--listen",
                paramLabel = "HOST:PORT",
                description =
                        "the address to serve on (default: [fleet] listen, else " + FleetSettings.DEFAULT_LISTEN + ")")
        String listen;

        @Option(names = "-p", description = "print the defaults of the sections this command reads and exit")
        boolean printDefaults;

        @Option(names = "-P", description = "print the effective configuration of those sections and exit")
        boolean printEffective;

        static boolean reads(String section) {
            return List.of("pull", KafkaSettings.SECTION, ClusterSettings.SECTION, FleetSettings.SECTION)
                    .contains(section);
        }

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (printDefaults) {
                ConfigPrinter.printDefaults(out, Serve::reads);
                return 0;
            }
            EffectiveConfig config;
            KafkaSettings kafka;
            FleetSettings settings;
            ClusterSettings cluster;
            Duration interval;
            try {
                config = ConfigLoader.load(file, null);
                if (printEffective) {
                    ConfigPrinter.printEffective(out, config, Serve::reads, KnownOptions.unknown(config, Serve::reads));
                    return 0;
                }
                kafka = KafkaSettings.from(config);
                settings = FleetSettings.from(config, Optional.ofNullable(listen));
                interval = ProcessConfig.pullInterval(config);
                cluster = ClusterSettings.from(config, interval, kafka);
                if (kafka.bootstrapServers().isEmpty()) {
                    throw new ConfigurationException("[kafka] bootstrap-servers is not set in " + file);
                }
            } catch (ConfigurationException e) {
                err.println("haproxystats-fleet serve: configuration error: " + e.getMessage());
                err.flush();
                return 2;
            }
            KnownOptions.unknown(config, Serve::reads)
                    .forEach(u -> err.println("haproxystats-fleet serve: warning: " + u.message()));
            Duration window = cluster.window();
            FleetFeed feed = new FleetFeed(
                            kafka,
                            Optional.of(cluster.linesTopic()),
                            window.multipliedBy(FleetFeed.WINDOWS_KEPT + 2).plus(cluster.grace()),
                            Duration.ofSeconds(5),
                            System::currentTimeMillis)
                    .start();
            FleetServer server = new FleetServer(feed::snapshot, interval, System::currentTimeMillis);
            HttpEndpoint endpoint;
            try {
                endpoint = server.start(settings);
            } catch (ConfigurationException e) {
                err.println("haproxystats-fleet serve: configuration error: " + e.getMessage());
                err.flush();
                feed.close();
                return 2;
            } catch (java.io.IOException e) {
                err.println("haproxystats-fleet serve: cannot listen on " + settings.listen() + ": " + e.getMessage());
                err.flush();
                feed.close();
                return 1;
            }
            // SIGTERM (systemd) or SIGHUP: stop in order and exit 0.
            Signals signals = Signals.install(() -> {});
            String scheme = settings.tlsKeystore().isPresent() ? "https" : "http";
            var bound = endpoint.address();
            String host = bound.getAddress().getHostAddress();
            out.println("haproxystats-fleet serve: listening on " + scheme + "://"
                    + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort() + "/ (servers topic "
                    + kafka.serversTopic() + ", cluster lines topic " + cluster.linesTopic() + ")");
            out.flush();
            signals.awaitStop();
            server.stop();
            endpoint.close();
            feed.close();
            return 0;
        }
    }
}
