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
import io.haproxystats.process.kafka.Records;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code haproxystats-fleet}: views of the whole fleet from Kafka. {@code servers} reads the
 * servers-state topic the central processors fill and prints every server's state across the load
 * balancers, folded, as a nagios check: 0 when every load balancer agrees and every server is
 * UP/READY, 1 when a load balancer has not reported within three pull intervals or they disagree,
 * 2 when a server is MAINT or DOWN anywhere, 3 when it cannot tell (no data, Kafka not read within
 * the timeout, a configuration error). {@code serve} is the same view as a live web page and JSON
 * ({@link FleetServer}). Neither writes to HAProxy or to Kafka. {@code retire LB}, the one command
 * that writes, and only when an operator runs it: tombstones for every key of a load balancer that
 * left the fleet, so that the view forgets it (it would be stale forever otherwise).
 *
 * <p>{@code --timeout} is the whole run's wall time, counted from the process's start (the JVM's
 * start-up included, seconds on a loaded host): a watchdog answers UNKNOWN and ends the process
 * at that time, whatever is still running.
 */
@Command(
        name = "haproxystats-fleet",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        subcommands = {FleetCommand.Servers.class, FleetCommand.Serve.class, FleetCommand.Retire.class},
        description = "Views of the load balancers' fleet, from Kafka (servers, serve: read-only; retire: writes"
                + " tombstones).")
public final class FleetCommand implements Callable<Integer> {

    /** Time kept back from --timeout for printing the answer and the JVM's exit. */
    static final Duration EXIT_MARGIN = Duration.ofMillis(400);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        watchdog = true;
        System.exit(commandLine().execute(args));
    }

    /** Whether a run ends the process at its deadline (the command's own process only, never a test's JVM). */
    static volatile boolean watchdog;

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new FleetCommand());
        // nagios: anything this command cannot tell is UNKNOWN (3), never CRITICAL (2, picocli's usage code)
        cl.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println(label(ex.getCommandLine()) + " UNKNOWN: " + ex.getMessage());
            ex.getCommandLine().usage(ex.getCommandLine().getErr());
            return FleetView.UNKNOWN;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println(label(commandLine) + " UNKNOWN: " + ex.getMessage());
            commandLine.getErr().flush();
            return FleetView.UNKNOWN;
        });
        return cl;
    }

    /** The first word of a subcommand's answers: RETIRE for retire, SERVERS otherwise (nagios' check). */
    private static String label(CommandLine commandLine) {
        return commandLine.getCommandName().equals("retire") ? "RETIRE" : "SERVERS";
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return FleetView.UNKNOWN;
    }

    /**
     * When this process started: the operating system's record of it (the JVM's start-up
     * included), else the JVM's own.
     */
    static Instant processStart() {
        return ProcessHandle.current()
                .info()
                .startInstant()
                .orElseGet(() -> Instant.ofEpochMilli(
                        ManagementFactory.getRuntimeMXBean().getStartTime()));
    }

    /** The options both subcommands share, and the run's deadline. */
    abstract static class Run {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(
                names = {"-f", "--file"},
                paramLabel = "FILE",
                defaultValue = "/etc/haproxystats.conf",
                description = "configuration file: [kafka] bootstrap-servers, servers-topic, client.*; "
                        + "[pull] pull-interval (default: ${DEFAULT-VALUE})")
        Path file;

        /** When the run started; null: the process's start. Tests set it. */
        Instant started;

        private final AtomicBoolean answered = new AtomicBoolean();

        abstract int timeoutSeconds();

        abstract String label();

        /** The run's end: the process's start plus --timeout. */
        Instant deadline() {
            if (timeoutSeconds() < 1) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "--timeout must be at least 1 second (the whole run's wall time), got " + timeoutSeconds());
            }
            return (started != null ? started : processStart()).plusSeconds(timeoutSeconds());
        }

        /** Prints the answer unless the watchdog gave one already; returns the exit code. */
        int answer(int code, List<String> lines) {
            if (!answered.compareAndSet(false, true)) {
                return FleetView.UNKNOWN; // the watchdog answered and is ending the process
            }
            PrintWriter out = spec.commandLine().getOut();
            lines.forEach(out::println);
            out.flush();
            return code;
        }

        /**
         * In the command's own process: at the deadline (less a moment to exit), answers UNKNOWN
         * and ends the process, whatever is still running (class loading, a Kafka client's
         * connection attempts or close).
         */
        void startWatchdog(Instant deadline) {
            if (!watchdog) {
                return;
            }
            Thread.ofPlatform().daemon().name("fleet-watchdog").start(() -> {
                try {
                    long ms = Duration.between(Instant.now(), deadline).toMillis() - 150;
                    if (ms > 0) {
                        Thread.sleep(ms);
                    }
                } catch (InterruptedException e) {
                    return;
                }
                if (answered.compareAndSet(false, true)) {
                    PrintWriter out = spec.commandLine().getOut();
                    out.println(label() + " UNKNOWN: no answer within --timeout " + timeoutSeconds()
                            + " s of the process's start");
                    out.flush();
                    Runtime.getRuntime().halt(FleetView.UNKNOWN);
                }
            });
        }

        /** The time left to read Kafka: until the deadline less {@link #EXIT_MARGIN}; never negative. */
        static Duration left(Instant deadline) {
            return Duration.between(Instant.now(), deadline.minus(EXIT_MARGIN));
        }
    }

    @Command(
            name = "servers",
            mixinStandardHelpOptions = true,
            versionProvider = VersionProvider.class,
            description = "Every server's state on every load balancer, identical lines folded; nagios exit codes."
                    + " Read-only.")
    static final class Servers extends Run implements Callable<Integer> {

        @Option(names = "--server", paramLabel = "NAME", description = "only this server (NAME or BACKEND/NAME)")
        String server;

        @Option(names = "--cluster", paramLabel = "NAME", description = "only the load balancers of this cluster")
        String cluster;

        @Option(
                names = "--timeout",
                paramLabel = "SECONDS",
                defaultValue = "8",
                description = "the whole run's wall time from the process's start, at least 1; UNKNOWN when"
                        + " Kafka was not read by then (default: ${DEFAULT-VALUE}, under nagios' 10 s)")
        int timeoutSeconds;

        @Override
        int timeoutSeconds() {
            return timeoutSeconds;
        }

        @Override
        String label() {
            return "SERVERS";
        }

        @Override
        public Integer call() {
            Instant deadline = deadline();
            Logging.silence(); // the first line of the output is nagios' status line, nothing before it
            if (Run.left(deadline).isNegative()) {
                return answer(
                        FleetView.UNKNOWN,
                        List.of("SERVERS UNKNOWN: --timeout " + timeoutSeconds
                                + " s had passed since the process's start before Kafka could be read"));
            }
            startWatchdog(deadline);
            EffectiveConfig config;
            KafkaSettings kafka;
            try {
                config = ConfigLoader.load(file, null);
                kafka = KafkaSettings.from(config);
            } catch (ConfigurationException e) {
                return answer(FleetView.UNKNOWN, List.of("SERVERS UNKNOWN: configuration error: " + e.getMessage()));
            }
            if (kafka.bootstrapServers().isEmpty()) {
                return answer(
                        FleetView.UNKNOWN, List.of("SERVERS UNKNOWN: [kafka] bootstrap-servers is not set in " + file));
            }
            Topic topic;
            try {
                topic = Topic.read(kafka, deadline, timeoutSeconds);
            } catch (KafkaException | IllegalStateException e) {
                return answer(
                        FleetView.UNKNOWN,
                        List.of("SERVERS UNKNOWN: cannot read kafka topic " + kafka.serversTopic() + ": "
                                + Records.printable(String.valueOf(e.getMessage()), 300)));
            }
            cdsReady();
            FleetView.Report report = FleetView.of(
                    topic.records(),
                    topic.refused(),
                    System.currentTimeMillis() / 1000,
                    ProcessConfig.pullInterval(config),
                    Optional.ofNullable(server),
                    Optional.ofNullable(cluster));
            return answer(report.exitCode(), report.lines());
        }
    }

    /**
     * Tells the launcher that this run read Kafka, so that its class data sharing archive is
     * trained on a run like it (the launcher names the file in {@code -Dhaproxystats.cds.ready}
     * only when it has no archive yet): a run stopped by a configuration error loads too little to
     * be worth an archive.
     */
    static void cdsReady() {
        String marker = System.getProperty("haproxystats.cds.ready");
        if (marker == null || marker.isBlank()) {
            return;
        }
        try {
            java.nio.file.Files.writeString(Path.of(marker), "read kafka\n");
        } catch (java.io.IOException | RuntimeException e) {
            // no archive this time: the next run without one tries again
        }
    }

    @Command(
            name = "retire",
            mixinStandardHelpOptions = true,
            versionProvider = VersionProvider.class,
            description = {
                "Forgets a load balancer that left the fleet: writes a tombstone (a record without a value) to the"
                        + " compacted servers-state topic for each of its keys, so that the view no longer shows"
                        + " it (stale forever otherwise). Stop its edge (or its servers-state polls) first: its"
                        + " next poll would publish it again.",
                "Exit codes: 0 retired, 1 no record of that load balancer in the topic, 3 could not (configuration,"
                        + " Kafka)."
            })
    static final class Retire extends Run implements Callable<Integer> {

        @Parameters(paramLabel = "LB", description = "the load balancer's name, as the view prints it")
        String loadBalancer;

        @Option(
                names = "--timeout",
                paramLabel = "SECONDS",
                defaultValue = "60",
                description = "the whole run's wall time from the process's start, at least 1 (default:"
                        + " ${DEFAULT-VALUE})")
        int timeoutSeconds;

        @Override
        int timeoutSeconds() {
            return timeoutSeconds;
        }

        @Override
        String label() {
            return "RETIRE";
        }

        @Override
        public Integer call() {
            Instant deadline = deadline();
            Logging.silence();
            startWatchdog(deadline);
            EffectiveConfig config;
            KafkaSettings kafka;
            try {
                config = ConfigLoader.load(file, null);
                kafka = KafkaSettings.from(config);
            } catch (ConfigurationException e) {
                return answer(FleetView.UNKNOWN, List.of("RETIRE UNKNOWN: configuration error: " + e.getMessage()));
            }
            if (kafka.bootstrapServers().isEmpty()) {
                return answer(
                        FleetView.UNKNOWN, List.of("RETIRE UNKNOWN: [kafka] bootstrap-servers is not set in " + file));
            }
            String name = Records.printable(loadBalancer, 200);
            try {
                Topic topic = Topic.read(kafka, deadline, timeoutSeconds);
                List<byte[]> keys = topic.keysOf(loadBalancer);
                if (keys.isEmpty()) {
                    return answer(
                            FleetView.WARNING,
                            List.of("RETIRE: no record of load balancer " + name + " in kafka topic "
                                    + kafka.serversTopic() + ": nothing to retire"));
                }
                long latest = topic.records().stream()
                        .filter(r -> r.loadBalancer().equals(loadBalancer))
                        .mapToLong(FleetRecord::epochSeconds)
                        .max()
                        .orElse(0);
                tombstones(kafka, keys, deadline);
                List<String> lines = new ArrayList<>();
                lines.add("RETIRE OK: " + keys.size() + " key(s) of load balancer " + name
                        + " tombstoned in kafka topic " + kafka.serversTopic());
                long age = System.currentTimeMillis() / 1000 - latest;
                if (latest > 0
                        && age
                                < 3
                                        * Math.max(
                                                1,
                                                ProcessConfig.pullInterval(config)
                                                        .toSeconds())) {
                    lines.add("note: " + name + " published " + age + " s ago: it is back with its next poll unless"
                            + " its edge stops publishing servers' states");
                }
                return answer(FleetView.OK, lines);
            } catch (KafkaException | IllegalStateException e) {
                return answer(
                        FleetView.UNKNOWN,
                        List.of("RETIRE UNKNOWN: cannot retire " + name + " in kafka topic " + kafka.serversTopic()
                                + ": " + Records.printable(String.valueOf(e.getMessage()), 300)));
            }
        }

        /** Writes a tombstone for each key and waits for every acknowledgement (acks=all). */
        private static void tombstones(KafkaSettings kafka, List<byte[]> keys, Instant deadline) {
            Properties p = KafkaClients.publisherProducer(kafka, "haproxystats-fleet-retire");
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
                List<Future<RecordMetadata>> sent = new ArrayList<>();
                for (byte[] key : keys) {
                    sent.add(producer.send(new ProducerRecord<>(kafka.serversTopic(), key, null)));
                }
                producer.flush();
                for (Future<RecordMetadata> f : sent) {
                    f.get(Math.max(1, Run.left(deadline).toMillis()), TimeUnit.MILLISECONDS);
                }
            } catch (ExecutionException e) {
                throw new IllegalStateException("the brokers refused a tombstone: " + e.getCause(), e);
            } catch (TimeoutException e) {
                throw new IllegalStateException("tombstones not acknowledged within --timeout", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /**
     * The servers-state topic as its compaction will leave it: each key's latest record, a key
     * whose latest is a tombstone gone; the records that are not of the topic's form refused with
     * where they are and why.
     */
    record Topic(List<FleetRecord> records, List<String> refused, Map<String, Entry> byKey) {

        /** A key's latest record: the record, or why it is refused (exactly one of them). */
        record Entry(byte[] key, FleetRecord record, String refusal) {}

        /** The keys of one load balancer: its records', and its refused ones' (a key starting {@code <lb>/}). */
        List<byte[]> keysOf(String lb) {
            byte[] prefix = (lb + "/").getBytes(StandardCharsets.UTF_8);
            List<byte[]> out = new ArrayList<>();
            for (Entry e : byKey.values()) {
                if (e.record() != null
                        ? e.record().loadBalancer().equals(lb)
                        : e.key().length > prefix.length
                                && java.util.Arrays.equals(e.key(), 0, prefix.length, prefix, 0, prefix.length)) {
                    out.add(e.key());
                }
            }
            return out;
        }

        /** The topic from its start to its end now, within the deadline (less the exit margin). */
        static Topic read(KafkaSettings kafka, Instant deadline, int timeoutSeconds) {
            Duration first = Run.left(deadline);
            if (first.toMillis() < 1) {
                throw new IllegalStateException("no time left within --timeout " + timeoutSeconds + " s");
            }
            Properties p = KafkaClients.fleetReader(kafka, first);
            Map<String, Entry> byKey = new LinkedHashMap<>();
            List<String> noKey = new ArrayList<>();
            KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p);
            try {
                var infos = c.partitionsFor(kafka.serversTopic(), positive(deadline));
                if (infos != null && !infos.isEmpty()) {
                    List<TopicPartition> partitions = infos.stream()
                            .map(i -> new TopicPartition(kafka.serversTopic(), i.partition()))
                            .toList();
                    c.assign(partitions);
                    c.seekToBeginning(partitions);
                    Map<TopicPartition, Long> end = c.endOffsets(partitions, positive(deadline));
                    while (partitions.stream().anyMatch(tp -> c.position(tp, positive(deadline)) < end.get(tp))) {
                        if (Run.left(deadline).isNegative()) {
                            throw new IllegalStateException("not read to its end within --timeout " + timeoutSeconds
                                    + " s of the process's start");
                        }
                        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                            take(r, byKey, noKey);
                        }
                    }
                }
            } finally {
                c.close(CloseOptions.timeout(
                        Duration.ofMillis(Math.max(0, Run.left(deadline).toMillis()))));
            }
            List<FleetRecord> records = new ArrayList<>();
            List<String> refused = new ArrayList<>(noKey);
            for (Entry e : byKey.values()) {
                if (e.record() != null) {
                    records.add(e.record());
                } else {
                    refused.add(e.refusal());
                }
            }
            return new Topic(List.copyOf(records), List.copyOf(refused), byKey);
        }

        private static void take(ConsumerRecord<byte[], byte[]> r, Map<String, Entry> byKey, List<String> noKey) {
            if (r.key() == null) {
                noKey.add(Records.where(r) + ": no key");
                return;
            }
            String id = new String(r.key(), StandardCharsets.ISO_8859_1); // the key's bytes, whatever they are
            try {
                Optional<FleetRecord> record = FleetRecord.read(r.key(), r.value());
                if (record.isEmpty()) {
                    byKey.remove(id); // a tombstone: the key is retired
                } else {
                    byKey.remove(id); // a key's latest last, as the topic's order has it
                    byKey.put(id, new Entry(r.key(), record.get(), null));
                }
            } catch (FleetRecord.MalformedException e) {
                byKey.remove(id);
                byKey.put(id, new Entry(r.key(), null, Records.where(r) + ": " + e.getMessage()));
            }
        }

        private static Duration positive(Instant deadline) {
            return Duration.ofMillis(Math.max(1, Run.left(deadline).toMillis()));
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
