package io.haproxystats.process;

import io.haproxystats.common.cli.DaemonCommand;
import io.haproxystats.common.cli.ExitCodes;
import io.haproxystats.common.cli.Logging;
import io.haproxystats.common.cli.Signals;
import io.haproxystats.common.cli.VersionProvider;
import io.haproxystats.common.config.EffectiveConfig;
import io.haproxystats.common.config.KafkaSettings;
import io.haproxystats.common.config.ProcessConfig;
import io.haproxystats.common.config.ProcessSettings;
import io.haproxystats.common.status.StatusFile;
import io.haproxystats.common.systemd.SystemdNotifier;
import io.haproxystats.common.time.Clock;
import io.haproxystats.process.central.CentralIntake;
import io.haproxystats.process.delivery.Dispatchers;
import io.haproxystats.process.delivery.QueueingDispatcher;
import io.haproxystats.process.edge.EdgeIntake;
import io.haproxystats.process.kafka.KafkaClients;
import io.haproxystats.process.local.LocalIntake;
import io.haproxystats.process.spool.Quarantine;
import io.haproxystats.process.spool.SourceDir;
import io.haproxystats.process.status.Intake;
import io.haproxystats.process.status.ProcessReporter;
import io.haproxystats.process.status.StatusValues;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
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

    /** {@link KafkaClients#knownProperties()}: what a {@code client.<property>} may name. */
    @Override
    protected Set<String> kafkaClientProperties() {
        return KafkaClients.knownProperties();
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
            SourceDir.prepare(settings.srcDir()); // a central processor reads the topic: no src-dir of its own
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
        Clock clock = Clock.system();
        Quarantine quarantine =
                new Quarantine(settings.quarantineDir(), settings.quarantineMaxPolls(), settings.quarantineMaxBytes());
        Path src = settings.srcDir();
        Dispatchers outputs = kafka.mode() == KafkaSettings.Mode.FORWARD
                ? null
                : kafka.source() == KafkaSettings.Source.KAFKA
                        ? Outputs.of(
                                config, timer, clock, () -> false, "the Kafka topic (their records are not committed)")
                        : Outputs.of(
                                config,
                                timer,
                                clock,
                                () -> SourceDir.atLimit(src, config.incomingLimit()),
                                QueueingDispatcher.LOCAL_BACKLOG);
        Intake intake = kafka.mode() == KafkaSettings.Mode.FORWARD
                ? EdgeIntake.start(config, quarantine, clock)
                : kafka.source() == KafkaSettings.Source.KAFKA
                        ? CentralIntake.start(config, outputs, quarantine, clock)
                        : LocalIntake.start(config, outputs, quarantine, timer, finisher, clock);

        SystemdNotifier notifier = SystemdNotifier.fromEnvironment(System.getenv());
        List<StatusValues> statusValues = new ArrayList<>(intake.statusValues());
        if (outputs != null) {
            statusValues.addAll(outputs.statusValues());
        }
        ProcessReporter reporter = new ProcessReporter(
                new StatusFile(settings.statusFile(), statusPaths()),
                notifier,
                intake.progress(),
                intake.destination(),
                clock,
                statusValues);
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
                Intake.STOP_DRAIN.toSeconds());
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
}
