package io.haproxystats.pull.logs;

import io.haproxystats.common.config.LogsSettings;
import io.haproxystats.common.logs.LogTimers;
import io.haproxystats.common.logs.LogTimersFile;
import io.haproxystats.common.spool.FileModes;
import io.haproxystats.common.spool.PollFiles;
import io.haproxystats.common.time.Clock;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code [logs]} receiver: one platform thread per socket reads HAProxy's datagrams, parses
 * each ({@link LogLineParser}) and adds it to that socket's interval ({@link LogAccumulator}).
 * Each poll cuts the interval ({@link #writeInto}): every socket's accumulator is swapped for an
 * empty one under its lock, the intervals are merged with the kernel's drop counts and written as
 * the poll's {@code log_timers}. A poll that does not land ({@link #landed landed(false)}) keeps
 * its interval for the next one, so nothing logged is lost to a failed poll; the next file then
 * covers both intervals. Nothing a datagram holds can stop a thread: a failure is logged and
 * the thread reads on.
 */
public final class LogReceiver implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LogReceiver.class);
    /** The largest datagram read whole; a longer one is counted unparsed (HAProxy's lines are at most 64 KiB). */
    static final int MAX_DATAGRAM = 65_536;

    private final List<Listener> listeners = new ArrayList<>();
    /** Names an interval keeps per socket: {@code [logs] max-series}, or less where the heap holds less. */
    private final int maxSeries;
    /** Why {@link #maxSeries} is what it is, for the line that says a name was refused. */
    private final String bound;

    private final Clock clock;
    /** Intervals of polls that did not land, carried into the next file; only the poll thread uses it. */
    private LogTimers pending;
    /** The most names {@link #pending} holds: as many as one cut of every socket may hand over. */
    private final int carriedBound;

    private LogReceiver(int maxSeries, int sockets, String bound, Clock clock) {
        this.maxSeries = maxSeries;
        this.carriedBound = (int) Math.min(Integer.MAX_VALUE, (long) maxSeries * Math.max(1, sockets));
        this.bound = bound;
        this.clock = clock;
    }

    /**
     * A series' heap, about: its timers' sketches (five of 1.5 to 2 KB measured for a busy server,
     * bench/logs-bench.sh memory: 9.9 KB a series at 1,000 servers, 7.4 KB at 10,000) and its name.
     */
    static final long SERIES_BYTES = 10 << 10;

    /**
     * The names one socket's interval may keep: {@code [logs] max-series}, or fewer when the heap
     * would not hold them. Three sets of intervals live at once at most (the sockets' filling
     * intervals, the ones just cut and being written, and those carried from polls that did not
     * land, themselves held to the same number of names), each at most a quarter of the heap, the
     * rest for the puller: a site larger than the heap then loses the timers of the names beyond
     * the bound (counted unparsed, logged), not the puller to an OutOfMemoryError and a restart at
     * every interval.
     */
    static int seriesBound(int maxSeries, long maxHeap, int sockets) {
        long held = maxHeap / 4 / SERIES_BYTES / Math.max(1, sockets);
        return (int) Math.max(1, Math.min(maxSeries, held));
    }

    /** Binds every {@code listen} socket and starts its thread; an error names the socket. */
    public static LogReceiver start(LogsSettings settings, Clock clock) throws IOException {
        return start(settings, clock, Runtime.getRuntime().maxMemory());
    }

    /** {@link #start(LogsSettings, Clock)} for a heap of {@code maxHeap} bytes. */
    static LogReceiver start(LogsSettings settings, Clock clock, long maxHeap) throws IOException {
        int sockets = settings.listen().size();
        int series = seriesBound(settings.maxSeries(), maxHeap, sockets);
        String bound = series < settings.maxSeries()
                ? "the " + series + " names a socket's interval may keep in this heap (" + (maxHeap >> 20)
                        + " MiB, about " + (SERIES_BYTES >> 10) + " KiB a name, " + sockets
                        + " socket(s); [logs] max-series " + settings.maxSeries()
                        + "): raise -Xmx (HAPROXYSTATS_JAVA_OPTS) for more"
                : "[logs] max-series " + series + " names this interval";
        if (series < settings.maxSeries()) {
            LOG.info("[logs]: at most {} names an interval per socket: {}", series, bound);
        }
        LogReceiver receiver = new LogReceiver(series, sockets, bound, clock);
        try {
            for (LogsSettings.Listen listen : settings.listen()) {
                LogSocket socket;
                try {
                    socket = switch (listen) {
                        case LogsSettings.Listen.Unix u -> new UnixLogSocket(u, settings.rcvbuf());
                        case LogsSettings.Listen.Udp u -> new UdpLogSocket(u, settings.rcvbuf());
                    };
                } catch (IOException | RuntimeException e) {
                    throw new IOException("[logs] listen: cannot listen on " + listen + ": " + e.getMessage(), e);
                }
                receiver.listeners.add(receiver.new Listener(socket));
            }
        } catch (IOException e) {
            receiver.close();
            throw e;
        }
        receiver.listeners.forEach(Listener::start);
        LOG.info(
                "[logs] receiving HAProxy's logs on {}",
                String.join(
                        ", ",
                        receiver.listeners.stream()
                                .map(l -> l.socket.describe())
                                .toList()));
        return receiver;
    }

    /** The bound UDP ports, in {@code listen} order (tests bind port 0 and ask). */
    public List<Integer> udpPorts() throws IOException {
        List<Integer> out = new ArrayList<>();
        for (Listener l : listeners) {
            if (l.socket instanceof UdpLogSocket u) {
                out.add(u.port());
            }
        }
        return out;
    }

    /**
     * Cuts the interval and writes it into the poll directory as {@link PollFiles#LOG_TIMERS}
     * (with the intervals of polls that did not land); returns the file's name.
     */
    public String writeInto(Path pollDir) throws IOException {
        LogTimers interval = cut();
        if (pending != null) {
            int refused = pending.absorb(interval, carriedBound);
            if (refused > 0) {
                // Names that came and went while polls failed: the carried intervals keep the
                // first ones seen, so that an outage of hours cannot grow them without bound.
                LOG.warn(
                        "[logs]: the timers of {} names were dropped from the intervals carried past polls that did not land: they keep at most {} names",
                        refused,
                        carriedBound);
            }
            interval = pending;
        }
        pending = interval;
        try (Writer out = new BufferedWriter(
                new OutputStreamWriter(
                        FileModes.overwrite(pollDir.resolve(PollFiles.LOG_TIMERS)), StandardCharsets.US_ASCII),
                1 << 16)) {
            LogTimersFile.write(interval, out);
        }
        return PollFiles.LOG_TIMERS;
    }

    /** Whether the poll written last landed: if not, its interval goes into the next file. */
    public void landed(boolean landed) {
        if (landed) {
            pending = null;
        }
    }

    /** Datagrams counted since the last cut, on every socket. */
    long linesSinceCut() {
        long n = 0;
        for (Listener l : listeners) {
            l.lock.lock();
            try {
                n += l.interval.lines();
            } finally {
                l.lock.unlock();
            }
        }
        return n;
    }

    /** Every socket's interval so far, moved into one (not copied); each socket starts a new one. */
    LogTimers cut() {
        LogTimers out = null;
        for (Listener l : listeners) {
            LogTimers one = l.cut();
            if (out == null) {
                out = one;
            } else {
                out.absorb(one, Integer.MAX_VALUE);
            }
        }
        return out == null ? new LogTimers() : out;
    }

    @Override
    public void close() {
        for (Listener l : listeners) {
            l.stop();
        }
        for (Listener l : listeners) {
            l.join();
        }
    }

    /** One socket's thread and interval. */
    private final class Listener implements Runnable {
        private final LogSocket socket;
        private final ReentrantLock lock = new ReentrantLock();
        private final BadLineLog badLines;
        private LogAccumulator interval;
        private long lastDrops = -1;
        private volatile boolean running = true;
        private Thread thread;

        Listener(LogSocket socket) {
            this.socket = socket;
            this.badLines = new BadLineLog(socket.describe(), clock);
            this.interval = new LogAccumulator(maxSeries);
            this.lastDrops = Math.max(0, socket.drops());
        }

        void start() {
            thread = Thread.ofPlatform()
                    .name("logs " + socket.describe())
                    .daemon()
                    .start(this);
        }

        @Override
        public void run() {
            ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM + 1);
            byte[] bytes = buffer.array();
            LogLineParser parser = new LogLineParser();
            long lastCheck = clock.nanoTime();
            while (running) {
                try {
                    int n = socket.receive(buffer);
                    if (n >= 0) {
                        LogLineParser.Outcome outcome;
                        String reason;
                        if (n > MAX_DATAGRAM) {
                            outcome = LogLineParser.Outcome.UNPARSED;
                            reason = "a datagram longer than " + MAX_DATAGRAM + " bytes";
                        } else {
                            outcome = parser.parse(bytes, n);
                            reason = parser.reason();
                        }
                        boolean kept;
                        lock.lock();
                        try {
                            kept = interval.add(outcome, parser);
                        } finally {
                            lock.unlock();
                        }
                        if (outcome == LogLineParser.Outcome.UNPARSED) {
                            badLines.unparsed(reason, bytes, Math.min(n, MAX_DATAGRAM));
                        } else if (!kept) {
                            badLines.unparsed("over " + bound, bytes, n);
                        }
                    }
                    if (clock.nanoTime() - lastCheck >= TimeUnit.SECONDS.toNanos(1)) {
                        socket.check();
                        lastCheck = clock.nanoTime();
                    }
                } catch (ClosedChannelException e) {
                    if (!running) {
                        break;
                    }
                    LOG.error("[logs] {}: the socket closed under the receiver; it stops", socket.describe());
                    break;
                } catch (IOException | RuntimeException e) {
                    if (!running) {
                        break;
                    }
                    // Never seen; a receive that fails at once must not spin the CPU.
                    LOG.error("[logs] {}: {}", socket.describe(), e.toString());
                    try {
                        clock.sleep(java.time.Duration.ofMillis(100));
                    } catch (InterruptedException ie) {
                        break;
                    }
                }
            }
        }

        /** This socket's interval so far, with the kernel's drops since the last cut; a new one starts. */
        LogTimers cut() {
            LogAccumulator done;
            lock.lock();
            try {
                done = interval;
                interval = new LogAccumulator(maxSeries);
            } finally {
                lock.unlock();
            }
            long drops = socket.drops();
            long dropped = 0;
            if (drops >= 0) {
                // A counter that went back (a socket bound anew) counts from zero; never negative.
                dropped = drops >= lastDrops ? drops - lastDrops : drops;
                lastDrops = drops;
            }
            return done.toLogTimers(dropped);
        }

        void stop() {
            running = false;
            try {
                socket.close();
            } catch (IOException e) {
                LOG.debug("[logs] {}: close: {}", socket.describe(), e.toString());
            }
        }

        void join() {
            if (thread != null) {
                try {
                    thread.join(TimeUnit.SECONDS.toMillis(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
