package io.haproxystats.pull;

import io.haproxystats.common.haproxy.SocketAddress;
import io.haproxystats.common.spool.FileModes;
import io.haproxystats.common.spool.PollFiles;
import io.haproxystats.common.spool.PollFiles.Command;
import io.haproxystats.common.time.Clock;
import io.haproxystats.pull.logs.LogReceiver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One poll: {@code show info} and {@code show stat} (and {@code show servers state} when
 * {@code [pull] commands} names it) to every socket at once, each request on its
 * own virtual thread and connection, answers streamed into the poll's temporary directory; the
 * directory is renamed into {@code dst-dir} only when every request succeeded within
 * {@code pull-timeout}, and deleted otherwise.
 */
final class Poller {

    private static final Logger LOG = LoggerFactory.getLogger(Poller.class);
    /** How long past the deadline the coordinator waits for requests that are being closed. */
    private static final long GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final SocketDiscovery discovery;
    private final List<SocketAddress> masters;
    private final List<Command> commands;
    private final StatsClient client;
    private final Spool spool;
    private final Duration pullTimeout;
    private final int queueSize;
    private final Clock clock;
    private final boolean skipDeadSockets;
    /** The {@code [logs]} receiver whose interval each landed poll carries, or null. */
    private final LogReceiver logs;
    /** Sockets found dead by the last poll: a change of state is logged once, not every poll. */
    private final Set<String> dead = new HashSet<>();

    Poller(
            SocketDiscovery discovery,
            StatsClient client,
            Spool spool,
            Duration pullTimeout,
            int queueSize,
            Clock clock) {
        this(
                discovery,
                List.of(),
                List.of(Command.INFO, Command.STAT),
                client,
                spool,
                pullTimeout,
                queueSize,
                clock,
                true);
    }

    /**
     * @param masters  master CLI sockets: each poll asks each for its workers and polls every one of them
     * @param commands what every socket and worker is asked ({@code [pull] commands})
     * @param skipDeadSockets land a poll without the sockets where nothing listens ({@code [pull]
     *                 skip-dead-sockets}) instead of failing it
     */
    Poller(
            SocketDiscovery discovery,
            List<SocketAddress> masters,
            List<Command> commands,
            StatsClient client,
            Spool spool,
            Duration pullTimeout,
            int queueSize,
            Clock clock,
            boolean skipDeadSockets) {
        this(discovery, masters, commands, client, spool, pullTimeout, queueSize, clock, skipDeadSockets, null);
    }

    /**
     * @param logs the {@code [logs]} receiver (null when off): each poll writes its interval as
     *             {@code log_timers} just before the rename, and a poll that does not land leaves
     *             the interval to the next one
     */
    Poller(
            SocketDiscovery discovery,
            List<SocketAddress> masters,
            List<Command> commands,
            StatsClient client,
            Spool spool,
            Duration pullTimeout,
            int queueSize,
            Clock clock,
            boolean skipDeadSockets,
            LogReceiver logs) {
        this.logs = logs;
        this.discovery = discovery;
        this.masters = masters;
        this.commands = List.copyOf(commands);
        this.client = client;
        this.spool = spool;
        this.pullTimeout = pullTimeout;
        this.queueSize = queueSize;
        this.clock = clock;
        this.skipDeadSockets = skipDeadSockets;
    }

    /**
     * One request in flight; {@code what} names it in failure messages, {@code file} is what it
     * writes; {@code socket} is null for a request through a master.
     */
    private record Request(SocketAddress socket, String what, String file, Future<Long> answer) {}

    /** The last poll's name: the next one is always later. */
    private long lastName = Long.MIN_VALUE;

    /**
     * A poll's name: the wall-clock second it starts in, or the second after the previous poll's
     * when that is not later. Under load a late tick and the next, on time, start in one second:
     * named alike, the second was discarded when the first still waited in dst-dir, or landed as a
     * second poll of the same name when it did not (one load balancer's series written twice with
     * other values, two records of one poll name at a central processor).
     */
    private long nextName(long wallSecond) {
        lastName = wallSecond > lastName ? wallSecond : lastName + 1;
        return lastName;
    }

    /**
     * Runs one poll now. Empty when it was skipped (queue full, no sockets). On interrupt the poll
     * is abandoned: requests cancelled, its temporary directory removed. Whatever happens, a poll
     * that was not landed leaves nothing behind in tmp-dst-dir.
     */
    Optional<PollResult> pollOnce() throws IOException, InterruptedException {
        long started = clock.nanoTime();
        long epoch = nextName(clock.instant().getEpochSecond());
        int queued;
        try {
            spool.ensureDirectories();
            queued = spool.queued();
        } catch (IOException e) {
            return Optional.of(report(new PollResult(
                    epoch,
                    0,
                    0,
                    List.of("cannot use dst-dir or tmp-dst-dir: " + StatsClient.describe(e)),
                    false,
                    Duration.ofNanos(clock.nanosSince(started)),
                    0)));
        }
        if (queued >= queueSize) {
            LOG.warn(
                    "skipping poll: {} directories wait in dst-dir, queue-size is {} (is haproxystats-process running?)",
                    queued,
                    queueSize);
            return Optional.empty();
        }
        List<SocketAddress> sockets = discovery.sockets();
        if (sockets.isEmpty() && masters.isEmpty()) {
            LOG.error("skipping poll: no stats socket to poll (no UNIX socket in socket-dir, and servers and "
                    + "master-sockets are empty)");
            return Optional.empty();
        }
        long deadline = pullTimeout.isZero() ? Long.MAX_VALUE : started + pullTimeout.toNanos();
        Path dir;
        try {
            dir = spool.begin(epoch);
        } catch (IOException e) {
            // Disk full, tmp-dst-dir not writable: a failed poll like any other, tried again next tick.
            return Optional.of(report(new PollResult(
                    epoch,
                    0,
                    0,
                    List.of("cannot create the poll's directory in" + " tmp-dst-dir: " + StatsClient.describe(e)),
                    false,
                    Duration.ofNanos(clock.nanosSince(started)),
                    0)));
        }
        List<Request> requests = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        boolean committed = false;
        boolean logsWritten = false;
        int succeeded = 0;
        ExecutorService executor = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("pull-", 0).factory());
        try {
            String clash = SocketDiscovery.nameClash(sockets, masters);
            if (clash != null) {
                failures.add(clash);
            } else {
                succeeded = request(dir, sockets, deadline, executor, requests, failures);
            }
            executor.shutdownNow();
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.error("poll {}: requests still running 5 s after being cancelled", epoch);
            }
            if (failures.isEmpty()) {
                List<String> written = new ArrayList<>(requests.stream()
                        .filter(r ->
                                r.socket() == null || !dead.contains(r.socket().name()))
                        .map(Request::file)
                        .toList());
                masters.forEach(m -> written.add(m.name() + PollFiles.PROC_SUFFIX));
                try {
                    if (logs != null) {
                        logsWritten = true;
                        written.add(logs.writeInto(dir));
                    }
                    committed = spool.commit(dir, written);
                } catch (IOException e) {
                    failures.add("cannot move the poll into dst-dir: " + StatsClient.describe(e));
                }
            }
        } catch (InterruptedException e) {
            requests.forEach(r -> r.answer().cancel(true));
            LOG.info("poll {} abandoned: stopping", epoch);
            throw e;
        } catch (RuntimeException e) {
            // A bug or an answer nobody foresaw: this poll fails, the next one runs, nothing is left behind.
            failures.add("unexpected failure: " + e);
            LOG.error("poll {}: unexpected failure", epoch, e);
        } finally {
            executor.shutdownNow();
            if (!committed) {
                spool.discard(dir);
            }
            if (logsWritten) {
                logs.landed(committed);
            }
        }
        int deadRequests = (int) requests.stream()
                .filter(r -> r.socket() != null && dead.contains(r.socket().name()))
                .count();
        return Optional.of(report(new PollResult(
                epoch,
                requests.size() - deadRequests,
                succeeded,
                List.copyOf(failures),
                committed,
                Duration.ofNanos(clock.nanosSince(started)),
                dead.size())));
    }

    /** Starts every request of the poll and waits for them; returns how many succeeded. */
    private int request(
            Path dir,
            List<SocketAddress> sockets,
            long deadline,
            ExecutorService executor,
            List<Request> requests,
            List<String> failures)
            throws InterruptedException, IOException {
        for (SocketAddress socket : sockets) {
            for (Command command : commands) {
                String file = socket.name() + command.suffix();
                Path target = dir.resolve(file);
                requests.add(new Request(
                        socket,
                        socket + " '" + command.text() + "'",
                        file,
                        executor.submit(() -> client.fetch(socket, command, deadline, target))));
            }
        }
        // The sockets' requests run meanwhile; each master is asked for its workers, and every
        // worker, current or old, is then polled through it like any socket.
        for (SocketAddress master : masters) {
            List<MasterWorkers.Worker> workers;
            try {
                String proc = client.query(
                        master, "show proc", MasterWorkers.ANSWER_PREFIX, deadline, MasterWorkers.MAX_ANSWER_BYTES);
                FileModes.writeString(dir.resolve(master.name() + PollFiles.PROC_SUFFIX), proc);
                workers = MasterWorkers.parse(proc);
            } catch (FetchException e) {
                failures.add(e.getMessage());
                continue;
            } catch (MasterWorkers.MalformedException e) {
                failures.add(master + " 'show proc': " + e.getMessage());
                continue;
            }
            for (MasterWorkers.Worker worker : workers) {
                for (Command command : commands) {
                    String prefix = worker.commandPrefix();
                    String file = worker.label(master) + command.suffix();
                    Path target = dir.resolve(file);
                    requests.add(new Request(
                            null,
                            master + " '" + prefix + command.text() + "'",
                            file,
                            executor.submit(() -> client.fetch(master, prefix, command, deadline, target))));
                }
            }
        }
        int succeeded = 0;
        Map<SocketAddress, List<String>> noListener = new LinkedHashMap<>();
        Set<SocketAddress> answered = new HashSet<>();
        for (Request request : requests) {
            List<String> into = failures;
            if (skipDeadSockets && request.socket() != null) {
                into = new ArrayList<>();
            }
            if (await(request, deadline, into)) {
                succeeded++;
                if (request.socket() != null) {
                    answered.add(request.socket());
                }
            } else if (into != failures) {
                if (noListener(request)) {
                    noListener
                            .computeIfAbsent(request.socket(), k -> new ArrayList<>())
                            .addAll(into);
                } else {
                    failures.addAll(into);
                    answered.add(request.socket()); // live, answering badly: the poll fails as a whole
                }
            }
        }
        markDead(dir, noListener, answered, requests, failures);
        return succeeded;
    }

    /**
     * Sockets where nothing listened for any request of this poll (HAProxy stopped and left its
     * socket file, or the file is gone) are left out: their files are removed and a
     * {@code <name>_dead} file says why, so the processor counts them. A socket that answered one
     * request and refused another is a failure (HAProxy stopping mid-poll: the poll stays atomic),
     * and so is a poll in which no socket answered at all.
     */
    private void markDead(
            Path dir,
            Map<SocketAddress, List<String>> noListener,
            Set<SocketAddress> answered,
            List<Request> requests,
            List<String> failures)
            throws IOException {
        Set<String> deadNow = new HashSet<>();
        for (Map.Entry<SocketAddress, List<String>> e : noListener.entrySet()) {
            SocketAddress socket = e.getKey();
            if (answered.contains(socket) || answered.isEmpty() && masters.isEmpty()) {
                failures.addAll(e.getValue());
                continue;
            }
            for (Request r : requests) {
                if (socket.equals(r.socket())) {
                    Files.deleteIfExists(dir.resolve(r.file()));
                }
            }
            String reason = e.getValue().get(0);
            FileModes.writeString(dir.resolve(socket.name() + PollFiles.DEAD_SUFFIX), reason + "\n");
            deadNow.add(socket.name());
            if (!dead.contains(socket.name())) {
                LOG.warn(
                        "{}: nothing listens there ({}); polls land without it until it answers "
                                + "([pull] skip-dead-sockets)",
                        socket,
                        reason.substring(reason.lastIndexOf(": ") + 2));
            }
        }
        for (String name : dead) {
            if (!deadNow.contains(name)) {
                LOG.info("{}: answers again, or is gone from the configuration", name);
            }
        }
        dead.clear();
        dead.addAll(deadNow);
    }

    /** True when the request failed because nothing listened at its socket. */
    private static boolean noListener(Request request) {
        if (!request.answer().isDone() || request.answer().isCancelled()) {
            return false;
        }
        try {
            request.answer().get();
            return false;
        } catch (ExecutionException e) {
            return e.getCause() instanceof FetchException f && f.noListener();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean await(Request request, long deadline, List<String> failures) throws InterruptedException {
        try {
            long wait = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline + GRACE_NANOS - clock.nanoTime();
            if (wait == Long.MAX_VALUE) {
                request.answer().get();
            } else {
                request.answer().get(Math.max(0, wait), TimeUnit.NANOSECONDS);
            }
            return true;
        } catch (TimeoutException e) {
            request.answer().cancel(true);
            failures.add(request.what() + ": no answer before the pull-timeout deadline");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            failures.add(cause instanceof FetchException ? cause.getMessage() : request.what() + ": " + cause);
        }
        return false;
    }

    private static PollResult report(PollResult r) {
        String time = String.format(Locale.ROOT, "%.3f", r.wallTime().toNanos() / 1e9);
        if (r.failures().isEmpty() && r.committed()) {
            LOG.info(
                    "poll {}: done {}, pending {}, succeeded {}, failed 0, wall clock time {}s{}",
                    r.epoch(),
                    r.requests(),
                    r.pending(),
                    r.succeeded(),
                    time,
                    r.deadSockets() == 0 ? "" : "; without " + r.deadSockets() + " socket(s) where nothing listens");
            return r;
        }
        for (String failure : r.failures()) {
            LOG.error("poll {}: {}", r.epoch(), failure);
        }
        LOG.error(
                "poll {}: done {}, pending {}, succeeded {}, failed {}, wall clock time {}s; directory {}",
                r.epoch(),
                r.requests(),
                r.pending(),
                r.succeeded(),
                r.failures().size(),
                time,
                r.committed() ? "moved to dst-dir" : "removed, nothing moved to dst-dir");
        return r;
    }
}
