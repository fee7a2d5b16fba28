package io.haproxystats.process;

import io.haproxystats.common.cli.DaemonCommand;
import io.haproxystats.common.cli.ExitCodes;
import io.haproxystats.common.cli.Logging;
import io.haproxystats.common.cli.Signals;
import io.haproxystats.common.cli.VersionProvider;
import io.haproxystats.common.config.ConfigurationException;
import io.haproxystats.common.config.EffectiveConfig;
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
import java.util.List;
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
            "2:usage or configuration error"
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

    @Override
    protected void validate(EffectiveConfig config) {
        ProcessConfig.from(config);
    }

    @Override
    protected int run(EffectiveConfig effective) throws Exception {
        ProcessConfig config = ProcessConfig.from(effective);
        ProcessSettings settings = config.process();
        Logging.setLevel(settings.logLevel());
        prepareSourceDir(settings.srcDir());
        LOG.info(
                "haproxystats-process {} starting: {} workers, src-dir {}, graphite {}:{}",
                VersionProvider.version(),
                settings.workers(),
                settings.srcDir(),
                config.graphite().server(),
                config.graphite().port());
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(
                1, Thread.ofPlatform().daemon().name("process-timer").factory());
        ExecutorService finisher = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("process-finisher").factory());
        Path src = settings.srcDir();
        Clock clock = Clock.system();
        QueueingDispatcher graphite = new QueueingDispatcher(
                new GraphiteConnection(config.graphite(), timer, clock),
                DeliveryPolicy.of(config.graphite()),
                clock,
                () -> incomingAtLimit(src, config.incomingLimit()));
        List<Dispatcher> dispatchers = new ArrayList<>();
        config.localStore().ifPresent(dir -> dispatchers.add(new LocalStoreDispatcher(dir)));
        dispatchers.add(graphite);
        MetricPaths paths = new MetricPaths(config.graphite(), Hostname.local());
        List<Path> excludeFiles = new ArrayList<>();
        settings.excludeFrontends().ifPresent(excludeFiles::add);
        settings.excludeBackends().ifPresent(excludeFiles::add);
        WorldWritable.warnings(excludeFiles).forEach(LOG::warn);
        Quarantine quarantine =
                new Quarantine(settings.quarantineDir(), settings.quarantineMaxPolls(), settings.quarantineMaxBytes());
        PollHandler handler = new PollHandler(
                new PollReader(settings.excludeFrontends(), settings.excludeBackends(), config.maxFileBytes()),
                new PollComputation(settings, paths, clock),
                dispatchers,
                quarantine,
                finisher);
        WorkQueue queue = new WorkQueue();
        ExecutorService watcherThread = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().daemon().name("incoming-watcher").factory());
        IncomingWatcher watcher = new IncomingWatcher(src, queue, watcherThread, clock);
        watcher.start(); // locks src-dir first: a second processor stops here, before any work
        Workers workers = new Workers(queue, handler, timer, config.graphite().delay(), clock);
        workers.start(settings.workers());

        SystemdNotifier notifier = SystemdNotifier.fromEnvironment(System.getenv());
        ProcessReporter reporter =
                new ProcessReporter(new StatusFile(settings.statusFile()), notifier, workers, graphite, src, clock);
        notifier.ready("watching " + src + ", " + settings.workers() + " workers");
        LOG.info("ready: watching {} with {} workers", src, settings.workers());
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
                    String dead = !workers.allAlive()
                            ? "a worker died"
                            : !graphite.senderAlive() ? "the Graphite sender thread died" : null;
                    if (dead == null) {
                        try {
                            watcher.check();
                        } catch (IOException | RuntimeException e) {
                            dead = "cannot watch [process] src-dir " + src + " again (" + e.getMessage() + ")";
                        }
                    }
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
                "stopping: no new directories; finishing the ones in progress, then flushing (at most {} s)",
                STOP_DRAIN.toSeconds());
        watcher.close();
        workers.stop();
        dispatchers.forEach(Dispatcher::stopWaiting); // a worker blocked on a full queue gives its poll back
        workers.join();
        for (Dispatcher d : dispatchers) {
            d.close(STOP_DRAIN);
        }
        finisher.shutdown();
        finisher.awaitTermination(10, TimeUnit.SECONDS);
        timer.shutdownNow();
        watcherThread.shutdownNow();
        reporter.report(false);
        notifier.close();
        if (exit.get() == ExitCodes.OK && handler.computed() > 0) {
            AotTraining.succeeded();
        }
        LOG.info("haproxystats-process stopped");
        return exit.get();
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
