package io.haproxystats.pull;

import io.haproxystats.common.cli.DaemonCommand;
import io.haproxystats.common.cli.ExitCodes;
import io.haproxystats.common.cli.Logging;
import io.haproxystats.common.cli.Signals;
import io.haproxystats.common.cli.VersionProvider;
import io.haproxystats.common.config.EffectiveConfig;
import io.haproxystats.common.config.PullSettings;
import io.haproxystats.common.haproxy.ServersStateAnswer;
import io.haproxystats.common.haproxy.SocketAddress;
import io.haproxystats.common.status.StatusFile;
import io.haproxystats.common.systemd.SystemdNotifier;
import io.haproxystats.common.time.Clock;
import io.haproxystats.pull.logs.LogReceiver;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code haproxystats-pull}: polls HAProxy stats sockets into the incoming directory. */
@Command(
        name = "haproxystats-pull",
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = "Pulls statistics from HAProxy over its stats sockets (UNIX and TCP) into dst-dir.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {
            "0:clean stop (SIGTERM/SIGHUP) or -p/-P/-h/-v",
            "1:runtime failure",
            "2:usage or configuration error",
            "3:out of heap (the launcher's -XX:+ExitOnOutOfMemoryError)"
        })
public final class PullCommand extends DaemonCommand {

    private static final Logger LOG = LoggerFactory.getLogger(PullCommand.class);

    @Option(
            names = "--show-servers",
            description =
                    "print every server of every socket as "
                            + "<socket>: <backend>/<server>: <OPERATIONAL>/<ADMIN> and exit (read-only; exit 2 when a socket cannot be read)")
    boolean showServers;

    @Option(
            names = "--server",
            paramLabel = "NAME",
            description = "with --show-servers: only servers named NAME " + "(exit 1 when none is)")
    String serverName;

    /** Lines --show-servers printed. */
    private int printed;

    @Override
    protected void checkOptions() {
        if (serverName != null && !showServers) {
            throw new ParameterException(spec.commandLine(), "--server NAME needs --show-servers");
        }
    }

    public static void main(String[] args) {
        System.exit(execute(new PullCommand(), args));
    }

    @Override
    protected Predicate<String> sections() {
        return PullSettings::reads;
    }

    @Override
    protected void validate(EffectiveConfig config) {
        PullSettings.from(config);
    }

    @Override
    protected int run(EffectiveConfig config) throws Exception {
        PullSettings settings = PullSettings.from(config);
        if (showServers) {
            return showServers(settings);
        }
        Logging.setLevel(settings.logLevel());
        LOG.info(
                "haproxystats-pull {} starting: pull-interval {}s, pull-timeout {}s, dst-dir {}",
                VersionProvider.version(),
                settings.pullInterval().toMillis() / 1000.0,
                settings.pullTimeout().toMillis() / 1000.0,
                settings.dstDir());
        if (settings.pullTimeout().isZero()) {
            LOG.warn("pull-timeout is 0: a socket that never answers will hold up every later poll");
        }
        try (Spool spool = new Spool(settings.dstDir(), settings.tmpDstDir())) {
            spool.prepare();
            return poll(settings, spool);
        }
    }

    /** The daemon's time; every schedule, deadline and status age reads it. */
    private final Clock clock = Clock.system();

    private int poll(PullSettings settings, Spool spool) throws Exception {
        SystemdNotifier notifier = SystemdNotifier.fromEnvironment(System.getenv());
        Map<String, Object> fixed = statusPaths();
        fixed.put("dst_dir", settings.dstDir()); // what check_haproxystats_queue_size counts
        PullReporter reporter = new PullReporter(
                new StatusFile(settings.statusFile(), fixed), notifier, clock, settings.pullInterval());
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(
                1, Thread.ofPlatform().daemon().name("pull-deadlines").factory());
        timer.setRemoveOnCancelPolicy(true);
        try (ScheduledExecutorService timers = timer;
                notifier;
                LogReceiver logs = startLogs(settings)) {
            StatsClient client = new StatsClient(settings.connect(), settings.bufferLimit(), timers, clock);
            Poller poller = new Poller(
                    new SocketDiscovery(settings.socketDir(), settings.servers(), logSockets(settings)),
                    settings.masterSockets(),
                    settings.commands(),
                    client,
                    spool,
                    settings.pullTimeout(),
                    settings.queueSize(),
                    clock,
                    settings.skipDeadSockets(),
                    logs);
            Puller puller = new Puller(() -> reporter.polled(poller.pollOnce()), settings.pullInterval(), clock);
            Thread scheduler = Thread.ofPlatform().name("pull-scheduler").start(puller);
            Signals signals = Signals.install(() -> {
                notifier.stopping();
                puller.stop();
            });
            reporter.started();
            // A poll may legitimately take pull-timeout; beyond that plus two intervals the loop is stuck.
            long stuckNanos = settings.pullInterval()
                    .multipliedBy(2)
                    .plus(settings.pullTimeout())
                    .plusSeconds(5)
                    .toNanos();
            notifier.watchdogInterval()
                    .ifPresent(every -> timers.scheduleAtFixedRate(
                            () -> {
                                long sinceTick = clock.nanoTime() - puller.lastTickNanos();
                                if (scheduler.isAlive() && (puller.lastTickNanos() == 0 || sinceTick < stuckNanos)) {
                                    notifier.watchdog();
                                } else {
                                    LOG.error(
                                            "scheduler stuck or dead ({} s since the last poll began); withholding the watchdog",
                                            sinceTick / 1_000_000_000L);
                                }
                            },
                            0,
                            every.toMillis(),
                            TimeUnit.MILLISECONDS));
            Thread.ofPlatform().daemon().name("pull-failure").start(() -> {
                try {
                    scheduler.join(); // a schedule that ends by itself (spool taken) stops the daemon
                    signals.stop();
                } catch (InterruptedException ignored) {
                    // The daemon is stopping anyway.
                }
            });
            signals.awaitStop();
            puller.stop();
            scheduler.join();
            timers.shutdownNow();
            if (puller.failure() != null) {
                LOG.error("haproxystats-pull stopped: {}", puller.failure().getMessage());
                return ExitCodes.RUNTIME_FAILURE;
            }
        }
        LOG.info("haproxystats-pull stopped");
        return ExitCodes.OK;
    }

    /** The {@code [logs] listen} socket files: never polled as stats sockets. */
    private static java.util.Set<java.nio.file.Path> logSockets(PullSettings settings) {
        return settings.logs().listen().stream()
                .filter(l -> l instanceof io.haproxystats.common.config.LogsSettings.Listen.Unix)
                .map(l -> ((io.haproxystats.common.config.LogsSettings.Listen.Unix) l).path())
                .collect(java.util.stream.Collectors.toSet());
    }

    /** The {@code [logs]} receiver, or null when off; a socket that cannot be bound stops the start (exit 1). */
    private LogReceiver startLogs(PullSettings settings) {
        if (!settings.logs().enabled()) {
            return null;
        }
        try {
            return LogReceiver.start(settings.logs(), clock);
        } catch (java.io.IOException e) {
            throw new io.haproxystats.common.cli.StartupFailure(e.getMessage());
        }
    }

    /**
     * The read-only view operators use around maintenance: {@code show servers state} from every
     * socket the puller would poll and every worker of each master socket (labelled
     * {@code <master>.<pid>}, as their poll files), one line a server. It only reads; it never
     * changes state. Exit 2 when any socket or worker cannot be read; the others still print.
     */
    private int showServers(PullSettings settings) throws InterruptedException {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(
                1, Thread.ofPlatform().daemon().name("show-servers").factory());
        int exit = ExitCodes.OK;
        try {
            StatsClient client = new StatsClient(settings.connect(), settings.bufferLimit(), timer, clock);
            long deadline = settings.pullTimeout().isZero()
                    ? Long.MAX_VALUE
                    : clock.nanoTime() + settings.pullTimeout().toNanos();
            for (SocketAddress socket : new SocketDiscovery(settings.socketDir(), settings.servers()).sockets()) {
                exit = Math.max(exit, printServers(client, socket, "", socket.name(), deadline));
            }
            for (SocketAddress master : settings.masterSockets()) {
                try {
                    String proc = client.query(
                            master, "show proc", MasterWorkers.ANSWER_PREFIX, deadline, MasterWorkers.MAX_ANSWER_BYTES);
                    for (MasterWorkers.Worker worker : MasterWorkers.parse(proc)) {
                        exit = Math.max(
                                exit,
                                printServers(client, master, worker.commandPrefix(), worker.label(master), deadline));
                    }
                } catch (FetchException e) {
                    System.err.println("haproxystats-pull: " + e.getMessage());
                    exit = ExitCodes.CONFIG_ERROR;
                } catch (MasterWorkers.MalformedException e) {
                    System.err.println("haproxystats-pull: " + master + " 'show proc': " + e.getMessage());
                    exit = ExitCodes.CONFIG_ERROR;
                }
            }
        } finally {
            timer.shutdownNow();
        }
        System.out.flush();
        if (serverName != null && printed == 0 && exit == ExitCodes.OK) {
            System.err.println("haproxystats-pull: no server named '" + serverName + "' on any socket");
            return ExitCodes.RUNTIME_FAILURE;
        }
        return exit;
    }

    /** Prints one answer's servers as {@code <label>: <backend>/<server>: <OPERATIONAL>/<ADMIN>}; 2 when unreadable. */
    private int printServers(StatsClient client, SocketAddress socket, String prefix, String label, long deadline)
            throws InterruptedException {
        String answer;
        try {
            answer = client.query(socket, prefix + "show servers state", ServersStateAnswer.ANSWER_PREFIX, deadline);
        } catch (FetchException e) {
            System.err.println("haproxystats-pull: " + e.getMessage());
            return ExitCodes.CONFIG_ERROR; // 2: an unreadable socket (docs/operations.md)
        }
        try {
            for (ServersStateAnswer.Row s : ServersStateAnswer.parse(answer).rows()) {
                if (serverName == null || serverName.equals(s.server())) {
                    System.out.println(
                            label + ": " + s.backend() + "/" + s.server() + ": " + s.operational() + "/" + s.admin());
                    printed++;
                }
            }
            return ExitCodes.OK;
        } catch (ServersStateAnswer.MalformedException e) {
            System.err.println("haproxystats-pull: " + socket + " '" + prefix + "show servers state' line " + e.line()
                    + ": " + e.getMessage());
            return ExitCodes.CONFIG_ERROR;
        }
    }
}
