package io.haproxystats.process;

import io.haproxystats.common.cli.DaemonCommand;
import io.haproxystats.common.cli.ExitCodes;
import io.haproxystats.common.cli.Logging;
import io.haproxystats.common.cli.Signals;
import io.haproxystats.common.cli.VersionProvider;
import io.haproxystats.common.config.ClusterSettings;
import io.haproxystats.common.config.ConfigurationException;
import io.haproxystats.common.config.EffectiveConfig;
import io.haproxystats.common.config.KafkaSettings;
import io.haproxystats.common.config.ProcessConfig;
import io.haproxystats.common.config.ProcessSettings;
import io.haproxystats.common.config.WorldWritable;
import io.haproxystats.common.spool.Directories;
import io.haproxystats.common.spool.FileModes;
import io.haproxystats.common.status.StatusFile;
import io.haproxystats.common.systemd.SystemdNotifier;
import io.haproxystats.common.time.Clock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code haproxystats-process}: aggregates poll directories and ships the lines to Graphite. */
@Command(
        name = "haproxystats-process",
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = "Processes statistics pulled from HAProxy and pushes them to Graphite.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {
            "0:clean stop (SIGTERM/SIGHUP) or -p/-P/-h/-v",
            "1:runtime failure (a worker died...)",
            "2:usage or configuration error",
            "3:out of heap (the launcher's -XX:+ExitOnOutOfMemoryError)"
        })
public final class ProcessCommand extends DaemonCommand {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessCommand.class);
    /** How long a clean stop waits for queued lines to be flushed; the rest stays on disk. */
    static final Duration STOP_DRAIN = Duration.ofSeconds(10);

    @Option(
            names = {"-d", "--dir"},
            paramLabel = "DIR",
            description = "directory with additional *.conf files")
    Path dir;

    public static void main(String[] args) {
        System.exit(execute(new ProcessCommand(), args));
    }

    @Override
    protected Predicate<String> sections() {
        return ProcessConfig::reads;
    }

    @Override
    protected Path extraConfigDir() {
        return dir;
    }

    /**
     * Kafka's own property names (producer, consumer, admin client, Streams, and the Streams
     * prefixes for its inner clients): {@code client.<property>} goes to these clients, which
     * would ignore a name they do not know.
     */
    @Override
    protected Set<String> kafkaClientProperties() {
        Set<String> clients = new HashSet<>(ProducerConfig.configNames());
        clients.addAll(ConsumerConfig.configNames());
        clients.addAll(AdminClientConfig.configNames());
        Set<String> all = new HashSet<>(clients);
        all.addAll(StreamsConfig.configDef().names());
        for (String prefix : List.of(
                StreamsConfig.CONSUMER_PREFIX,
                StreamsConfig.MAIN_CONSUMER_PREFIX,
                StreamsConfig.RESTORE_CONSUMER_PREFIX,
                StreamsConfig.GLOBAL_CONSUMER_PREFIX,
                StreamsConfig.PRODUCER_PREFIX,
                StreamsConfig.ADMIN_CLIENT_PREFIX)) {
            clients.forEach(name -> all.add(prefix + name));
        }
        return all;
    }

    @Override
    protected void validate(EffectiveConfig config) {
        ProcessConfig.from(config);
    }

    @Override
    protected int run(EffectiveConfig effective) throws Exception {
        ProcessConfig config = ProcessConfig.from(effective);
        ProcessSettings settings = config.process();
        KafkaSettings kafka = config.kafka();
        Logging.setLevel(settings.logLevel());
        if (kafka.source() != KafkaSettings.Source.KAFKA) {
            prepareSourceDir(settings.srcDir()); // a central processor reads the topic: no src-dir of its own
        }
        LOG.info(
                "haproxystats-process {} starting: {}",
                VersionProvider.version(),
                kafka.mode() == KafkaSettings.Mode.FORWARD
                        ? "forwarding src-dir " + settings.srcDir() + " to kafka topic " + kafka.pollsTopic()
                        : settings.workers() + " workers, "
                                + (kafka.source() == KafkaSettings.Source.KAFKA
                                        ? "kafka topic " + kafka.pollsTopic() + " (group " + kafka.groupId() + ")"
                                        : "src-dir " + settings.srcDir())
                                + ", graphite " + config.graphite().server() + ":"
                                + config.graphite().port());
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(
                1, Thread.ofPlatform().daemon().name("process-timer").factory());
        ExecutorService finisher = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("process-finisher").factory());
        Path src = settings.srcDir();
        Clock clock = Clock.system();
        Quarantine quarantine =
                new Quarantine(settings.quarantineDir(), settings.quarantineMaxPolls(), settings.quarantineMaxBytes());
        Intake intake = kafka.mode() == KafkaSettings.Mode.FORWARD
                ? forward(config, quarantine, clock)
                : kafka.source() == KafkaSettings.Source.KAFKA
                        ? central(config, quarantine, timer, clock)
                        : local(config, quarantine, timer, finisher, clock);

        SystemdNotifier notifier = SystemdNotifier.fromEnvironment(System.getenv());
        ProcessReporter reporter = new ProcessReporter(
                new StatusFile(settings.statusFile(), statusPaths()),
                notifier,
                intake.progress(),
                intake.destination(),
                clock);
        notifier.ready(intake.description());
        LOG.info("ready: {}", intake.description());
        // The watchdog's pace when systemd asks for one, else a status update every 5 s.
        long every = notifier.watchdogInterval().map(Duration::toMillis).orElse(5000L);
        timer.scheduleAtFixedRate(
                () -> reporter.report(notifier.watchdogInterval().isPresent()), 0, every, TimeUnit.MILLISECONDS);

        AtomicInteger exit = new AtomicInteger(ExitCodes.OK);
        CountDownLatch stop = new CountDownLatch(1);
        long interval = settings.livenessCheckInterval().toMillis();
        // Only while running: once a stop was asked for, workers ending is the stop, not a failure
        // (otherwise a check landing in the stop's window makes a clean SIGTERM exit 1).
        ScheduledFuture<?> liveness = timer.scheduleAtFixedRate(
                () -> {
                    if (stop.getCount() == 0) {
                        return;
                    }
                    String dead = intake.dead();
                    if (dead != null) {
                        LOG.error("{}; stopping so that the service manager restarts haproxystats-process", dead);
                        exit.set(ExitCodes.RUNTIME_FAILURE);
                        stop.countDown();
                    }
                },
                interval,
                interval,
                TimeUnit.MILLISECONDS);
        Signals.install(() -> {
            notifier.stopping();
            stop.countDown();
        });
        stop.await();
        liveness.cancel(false);

        LOG.info(
                "stopping: no new polls; finishing the ones in progress, then flushing (at most {} s)",
                STOP_DRAIN.toSeconds());
        intake.stop();
        finisher.shutdown();
        finisher.awaitTermination(10, TimeUnit.SECONDS);
        timer.shutdownNow();
        reporter.report(false);
        notifier.close();
        if (exit.get() == ExitCodes.OK && intake.computed() > 0) {
            AotTraining.succeeded();
        }
        LOG.info("haproxystats-process stopped");
        return exit.get();
    }

    /**
     * Where polls come from and how they leave, as the daemon's life needs it: what the status file
     * reports, what the liveness check asks, and the stop in order.
     */
    private interface Intake {
        String description();

        Progress progress();

        Destination destination();

        /** Why the daemon can no longer work (a thread died, src-dir cannot be watched), or null. */
        String dead();

        /** Stops taking polls, lets those in hand finish within the drain, releases connections. */
        void stop() throws InterruptedException, IOException;

        /** Polls computed (or forwarded) since start: a clean stop after some trains the AOT cache. */
        long computed();
    }

    /** Today's processor: src-dir's polls computed here by the workers, lines to every dispatcher. */
    private static Intake local(
            ProcessConfig config, Quarantine quarantine, ScheduledExecutorService timer, Executor finisher, Clock clock)
            throws IOException {
        ProcessSettings settings = config.process();
        Path src = settings.srcDir();
        Dispatchers dispatchers = dispatchers(
                config,
                timer,
                clock,
                () -> incomingAtLimit(src, config.incomingLimit()),
                QueueingDispatcher.LOCAL_BACKLOG);
        MetricPaths paths = new MetricPaths(config.graphite(), Hostname.local());
        List<Path> excludeFiles = new ArrayList<>();
        settings.excludeFrontends().ifPresent(excludeFiles::add);
        settings.excludeBackends().ifPresent(excludeFiles::add);
        WorldWritable.warnings(excludeFiles).forEach(LOG::warn);
        PollHandler handler = new PollHandler(
                new PollReader(settings.excludeFrontends(), settings.excludeBackends(), config.maxFileBytes()),
                new PollComputation(settings, paths, clock),
                dispatchers.all(),
                quarantine,
                finisher);
        WorkQueue queue = new WorkQueue();
        ExecutorService watcherThread = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().daemon().name("incoming-watcher").factory());
        IncomingWatcher watcher = new IncomingWatcher(src, queue, watcherThread, clock);
        watcher.start(); // locks src-dir first: a second processor stops here, before any work
        Workers workers =
                new Workers(src, queue, handler, timer, config.graphite().delay(), clock);
        workers.start(settings.workers());
        return new Intake() {
            @Override
            public String description() {
                return "watching " + src + " with " + settings.workers() + " workers";
            }

            @Override
            public Progress progress() {
                return workers;
            }

            @Override
            public Destination destination() {
                return dispatchers.graphite();
            }

            @Override
            public String dead() {
                String dead = !workers.allAlive() ? "a worker died" : dispatchers.deadSender();
                return dead != null ? dead : watcherDead(watcher, src);
            }

            @Override
            public void stop() throws InterruptedException, IOException {
                watcher.close();
                workers.stop();
                dispatchers.stopWaiting(); // a worker blocked on a full queue gives its poll back
                workers.join();
                dispatchers.close();
                watcherThread.shutdownNow();
            }

            @Override
            public long computed() {
                return handler.computed();
            }
        };
    }

    /** {@code mode = forward}: src-dir's polls produced to the polls topic, nothing computed here. */
    private static Intake forward(ProcessConfig config, Quarantine quarantine, Clock clock) throws IOException {
        ProcessSettings settings = config.process();
        KafkaSettings kafka = config.kafka();
        Path src = settings.srcDir();
        String host = kafka.host().orElseGet(Hostname::local);
        KafkaProducer<byte[], byte[]> producer;
        try {
            producer = new KafkaProducer<>(KafkaClients.pollProducer(kafka, host));
        } catch (KafkaException e) {
            throw kafkaClientError(e);
        }
        WorkQueue queue = new WorkQueue();
        ExecutorService watcherThread = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().daemon().name("incoming-watcher").factory());
        IncomingWatcher watcher = new IncomingWatcher(src, queue, watcherThread, clock);
        watcher.start(); // locks src-dir: one forwarder a spool
        PollForwarder forwarder = new PollForwarder(
                src,
                producer,
                kafka.pollsTopic(),
                host,
                kafka.cluster().orElse(null),
                config.maxFileBytes(),
                quarantine,
                queue,
                clock,
                FORWARD_ACK_TIMEOUT,
                Duration.ofSeconds(1),
                () -> KafkaClients.maxMessageBytes(kafka, kafka.pollsTopic()));
        forwarder.start();
        return new Intake() {
            @Override
            public String description() {
                return "forwarding " + src + " to kafka topic " + kafka.pollsTopic() + " as " + host;
            }

            @Override
            public Progress progress() {
                return forwarder;
            }

            @Override
            public Destination destination() {
                return forwarder;
            }

            @Override
            public String dead() {
                return !forwarder.allAlive() ? "the kafka forwarder thread died" : watcherDead(watcher, src);
            }

            @Override
            public void stop() throws InterruptedException, IOException {
                watcher.close();
                forwarder.stop();
                producer.close(STOP_DRAIN); // a send waiting for the broker ends now, its poll stays
                forwarder.join();
                watcherThread.shutdownNow();
            }

            @Override
            public long computed() {
                return forwarder.forwarded();
            }
        };
    }

    /**
     * {@code source = kafka}: the polls topic's records computed here, in the consumer group; their
     * servers' states published for the fleet view; with {@code [cluster] aggregate}, their values
     * published to the values topic, the cluster aggregation run beside, and its lines read back
     * and handed to the same dispatchers.
     */
    private static Intake central(
            ProcessConfig config, Quarantine quarantine, ScheduledExecutorService timer, Clock clock) {
        ProcessSettings settings = config.process();
        KafkaSettings kafka = config.kafka();
        ClusterSettings cluster = config.cluster();
        Map<String, Map<String, String>> topics = new TreeMap<>();
        topics.put(kafka.serversTopic(), Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        if (cluster.aggregate()) {
            topics.put(
                    cluster.valuesTopic(),
                    Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(KafkaClients.MAX_REQUEST_BYTES)));
            topics.put(cluster.linesTopic(), Map.of());
        }
        try {
            KafkaClients.ensureTopics(kafka, topics);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            LOG.warn(
                    "cannot create the topics {} if missing ({}); they must exist, see docs/kafka.md",
                    topics.keySet(),
                    e.getCause() == null ? e.toString() : e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Dispatchers dispatchers =
                dispatchers(config, timer, clock, () -> false, "the Kafka topic (their records are not committed)");
        CentralPublisher publisher;
        try {
            publisher = new CentralPublisher(
                    new KafkaProducer<>(
                            KafkaClients.publisherProducer(kafka, "haproxystats-publish-" + Hostname.local())),
                    cluster.aggregate() ? cluster.valuesTopic() : null,
                    kafka.serversTopic(),
                    clock);
        } catch (KafkaException e) {
            throw kafkaClientError(e);
        }
        PollRecordHandler handler = new PollRecordHandler(
                settings,
                config.graphite(),
                dispatchers.all(),
                quarantine,
                config.maxFileBytes(),
                clock,
                cluster,
                publisher);
        KafkaPollSource source = new KafkaPollSource(
                KafkaPollSource.kafka(KafkaClients.pollConsumer(
                        kafka,
                        "haproxystats-process-" + Hostname.local() + KafkaClients.PATHS_MARK
                                + config.graphite().pathOptionsHash())),
                kafka.pollsTopic(),
                handler,
                config.graphite().delay(),
                clock);
        ClusterAggregation aggregation = null;
        KafkaPollSource lines = null;
        try {
            source.start(settings.workers());
            if (cluster.aggregate()) {
                FileModes.createDirectories(cluster.stateDir());
                aggregation = new ClusterAggregation(
                        ClusterAggregation.topology(cluster, config.graphite().namespace()),
                        ClusterAggregation.properties(kafka, cluster, cluster.stateDir()));
                aggregation.start();
                lines = new KafkaPollSource(
                        KafkaPollSource.kafka(KafkaClients.linesConsumer(
                                kafka, kafka.groupId() + "-cluster-lines", "haproxystats-lines-" + Hostname.local())),
                        cluster.linesTopic(),
                        new ClusterLinesHandler(dispatchers.all()),
                        config.graphite().delay(),
                        clock);
                lines.start(1);
            }
        } catch (KafkaException e) {
            throw kafkaClientError(e);
        } catch (IOException e) {
            throw new ConfigurationException("[cluster] state-dir: cannot create " + cluster.stateDir() + ": " + e);
        }
        ClusterAggregation windows = aggregation;
        KafkaPollSource clusterLines = lines;
        ScheduledExecutorService pathCheck = pathOptionsCheck(config);
        return new Intake() {
            @Override
            public String description() {
                return "consuming kafka topic " + kafka.pollsTopic() + " in group " + kafka.groupId() + " with "
                        + settings.workers() + " consumers"
                        + (windows == null
                                ? ""
                                : ", aggregating clusters in "
                                        + cluster.window().toSeconds() + " s windows (" + cluster.applicationId()
                                        + ")");
            }

            @Override
            public Progress progress() {
                return source;
            }

            @Override
            public Destination destination() {
                return dispatchers.graphite();
            }

            @Override
            public String dead() {
                if (!source.allAlive()) {
                    return "a kafka consumer died";
                }
                if (windows != null && !windows.alive()) {
                    return "the cluster aggregation stopped (Kafka Streams state ERROR)";
                }
                if (clusterLines != null && !clusterLines.allAlive()) {
                    return "the cluster lines consumer died";
                }
                return dispatchers.deadSender();
            }

            @Override
            public void stop() throws InterruptedException, IOException {
                pathCheck.shutdownNow();
                source.stop(STOP_DRAIN);
                if (clusterLines != null) {
                    clusterLines.stop(STOP_DRAIN);
                }
                if (windows != null) {
                    windows.close(STOP_DRAIN);
                }
                dispatchers.stopWaiting();
                source.join();
                if (clusterLines != null) {
                    clusterLines.join();
                }
                publisher.close();
                dispatchers.close();
            }

            @Override
            public long computed() {
                return source.delivered();
            }
        };
    }

    /**
     * Central processors of one group that form paths differently (namespace, prefix-hostname,
     * fqdn, group namespaces) move a load balancer's series between paths at every rebalance. Each
     * says the hash of its path options in its consumers' client ids; every minute (first after
     * 20 s, when the group has formed) this one compares the group's members with its own and
     * warns once a member.
     */
    private static ScheduledExecutorService pathOptionsCheck(ProcessConfig config) {
        ScheduledExecutorService check = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("path-options-check").factory());
        String own = config.graphite().pathOptionsHash();
        Set<String> said = new HashSet<>();
        check.scheduleWithFixedDelay(
                () -> {
                    for (String other : KafkaClients.membersWithOtherPathOptions(
                            config.kafka(), config.kafka().groupId(), own)) {
                        if (said.add(other)) {
                            LOG.warn(
                                    "consumer group {}: member {} forms metric paths with other options than this"
                                            + " processor ({}, hash {}): a load balancer's series move between paths"
                                            + " at each rebalance; give every central processor of the group the same"
                                            + " [graphite] namespace, prefix-hostname, fqdn and group options",
                                    config.kafka().groupId(),
                                    other,
                                    config.graphite().pathOptions(),
                                    own);
                        }
                    }
                },
                20,
                60,
                TimeUnit.SECONDS);
        return check;
    }

    /** Longest wait for the broker to acknowledge one forwarded poll (the producer gives up before: 120 s). */
    static final Duration FORWARD_ACK_TIMEOUT = Duration.ofSeconds(150);

    /** Graphite, and [local-store] and [kafka-dispatch] when configured. */
    private record Dispatchers(QueueingDispatcher graphite, List<Dispatcher> all) {
        String deadSender() {
            for (Dispatcher d : all) {
                if (d instanceof QueueingDispatcher q && !q.senderAlive()) {
                    return "the " + q.name() + " sender thread died";
                }
            }
            return null;
        }

        void stopWaiting() {
            all.forEach(Dispatcher::stopWaiting);
        }

        void close() throws InterruptedException {
            for (Dispatcher d : all) {
                d.close(STOP_DRAIN);
            }
        }
    }

    /** @param backlog where polls wait while a queue is full or down, for the log lines */
    private static Dispatchers dispatchers(
            ProcessConfig config,
            ScheduledExecutorService timer,
            Clock clock,
            BooleanSupplier mayDrop,
            String backlog) {
        QueueingDispatcher graphite = new QueueingDispatcher(
                new GraphiteConnection(config.graphite(), timer, clock),
                DeliveryPolicy.of(config.graphite()),
                clock,
                mayDrop,
                backlog);
        List<Dispatcher> all = new ArrayList<>();
        config.localStore().ifPresent(dir -> all.add(new LocalStoreDispatcher(dir)));
        all.add(graphite);
        config.kafka()
                .dispatchTopic()
                .ifPresent(topic -> all.add(new QueueingDispatcher(
                        new KafkaLineSender(topic, KafkaLineSender.kafka(config.kafka())),
                        DeliveryPolicy.of(config.graphite()),
                        clock,
                        mayDrop,
                        backlog)));
        return new Dispatchers(graphite, all);
    }

    /** A Kafka client that cannot be made, as a configuration error with Kafka's own reason (its root cause). */
    private static ConfigurationException kafkaClientError(KafkaException e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return new ConfigurationException(
                "[kafka]: cannot make a Kafka client (bootstrap-servers and the client. options): "
                        + root.getMessage());
    }

    private static String watcherDead(IncomingWatcher watcher, Path src) {
        try {
            watcher.check();
            return null;
        } catch (IOException | RuntimeException e) {
            return "cannot watch [process] src-dir " + src + " again (" + e.getMessage() + ")";
        }
    }

    /** True when src-dir holds as many polls as the puller allows: the durable queue is full too. */
    static boolean incomingAtLimit(Path src, int limit) {
        try {
            return Directories.countSubdirectories(src) >= limit;
        } catch (IOException e) {
            return false;
        }
    }

    /** Creates src-dir if missing (start order of the two daemons does not matter) and checks access. */
    private static void prepareSourceDir(Path src) {
        try {
            FileModes.createDirectories(src);
        } catch (IOException e) {
            throw new ConfigurationException("[process] src-dir: cannot create " + src + ": " + e);
        }
        if (!Files.isReadable(src) || !Files.isWritable(src)) {
            throw new ConfigurationException(
                    "[process] src-dir: " + src + " must be readable and writable by this user");
        }
        try {
            int left = Directories.deleteLeftovers(src);
            if (left > 0) {
                LOG.info("removed {} delivered poll directories a stop left half deleted in {}", left, src);
            }
        } catch (IOException e) {
            LOG.warn("cannot remove the half-deleted poll directories in {}: {}", src, e.toString());
        }
    }
}
