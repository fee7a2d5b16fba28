package io.haproxystats.process.compute;

import io.haproxystats.common.config.ProcessSettings;
import io.haproxystats.common.haproxy.ServersStateAnswer;
import io.haproxystats.common.logs.LogTimers;
import io.haproxystats.common.logs.LogTimersFile;
import io.haproxystats.common.logs.TimerStats;
import io.haproxystats.common.spool.PollFiles;
import io.haproxystats.common.time.Clock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Turns the files of one poll directory into its Graphite lines: parse each {@code _info},
 * {@code _stat} and {@code _servers_state} answer, aggregate, and add the original's self metrics
 * ({@code Metrics*}: lines of each part including the count line itself; {@code WallClockTime*}:
 * seconds, "%.3f"). A file that cannot be read or parsed is reported in {@link Result#errors()}
 * and left out; the others still count. Files come as {@link Source}s read one small group at a time, so memory holds a few
 * files' text and tables plus the running totals, never the whole poll. No I/O of its own; the
 * clock is injected for the wall-clock metrics only.
 */
public final class PollComputation {

    /**
     * The lines of a poll, the files that could not be parsed (file, line, reason), and the
     * {@code show servers state} answers as parsed (for the fleet view; excluded backends in them),
     * and the request-timer stats behind the {@code .timers.} lines, by their path relative to the
     * prefix without the last component ({@code backend.be.timers.Tr}; for the cluster windows,
     * which merge the sketches, not the percentiles).
     */
    public record Result(
            MetricBatch batch,
            List<String> errors,
            List<ServersStateAnswer> serversStates,
            SortedMap<String, TimerStats> timers) {}

    /** One file's content, read when it is needed. */
    public interface Source {
        /**
         * The file's bytes. They may be a buffer the reading thread reuses for its next read: the
         * caller parses them at once and keeps nothing of the array.
         */
        Answer read() throws IOException;
    }

    /**
     * {@code length} bytes of a file at {@code offset} in {@code bytes}: a buffer of its own, a
     * reading thread's reused buffer, or a slice of a whole poll container (read in place, never
     * copied).
     */
    public record Answer(byte[] bytes, int offset, int length) {
        public Answer {
            Objects.checkFromIndexSize(offset, length, bytes.length);
        }

        public static Answer of(byte[] bytes) {
            return new Answer(bytes, 0, bytes.length);
        }

        String text() {
            return new String(bytes, offset, length, StandardCharsets.UTF_8);
        }
    }

    /** Files parsed at once: the cores' worth, so parsing runs in parallel and memory stays bounded. */
    public static final int GROUP = Math.max(2, Runtime.getRuntime().availableProcessors());

    private final ProcessSettings settings;
    private final MetricPaths paths;
    private final SiteAggregator sites;
    private final Set<String> wanted;
    private final Clock clock;

    public PollComputation(ProcessSettings settings, MetricPaths paths, Clock clock) {
        this.settings = settings;
        this.paths = paths;
        this.sites = new SiteAggregator(settings);
        this.wanted = sites.wantedFields();
        this.clock = clock;
    }

    public MetricPaths paths() {
        return paths;
    }

    /** {@link #compute(String, SortedMap, Set, Set)} for contents already in memory. */
    public Result compute(
            String timestamp, Map<String, String> files, Set<String> excludedFrontends, Set<String> excludedBackends) {
        SortedMap<String, Source> sources = new TreeMap<>();
        files.forEach((name, text) -> sources.put(name, () -> Answer.of(text.getBytes(StandardCharsets.UTF_8))));
        return compute(timestamp, sources, excludedFrontends, excludedBackends);
    }

    /**
     * @param timestamp the poll directory's name
     * @param files     file name to content, for the files of the directory, in name order
     * @param excludedFrontends names to skip
     * @param excludedBackends  names to skip, with their servers
     */
    public Result compute(
            String timestamp,
            SortedMap<String, Source> files,
            Set<String> excludedFrontends,
            Set<String> excludedBackends) {
        long start = clock.nanoTime();
        MetricBatch out = new MetricBatch(timestamp);
        List<String> errors = new ArrayList<>();
        List<InfoRecord> infos = new ArrayList<>();
        List<ServersStateAnswer> answers = new ArrayList<>();
        // Names are compared as they are grouped: sanitised (an exclude line 'legacy.app' also
        // excludes 'legacy_app', which is the same path).
        Set<String> frontendsOut = MetricPaths.sanitiseAll(excludedFrontends);
        Set<String> backendsOut = MetricPaths.sanitiseAll(excludedBackends);
        SiteAggregator.Accumulator site = sites.accumulator(frontendsOut, backendsOut);
        ServersStateAggregator serverStates = new ServersStateAggregator(backendsOut);
        // Parsed a group at a time in parallel (the common fork-join pool), then added in file-name
        // order: the output does not depend on the scheduling, and each group's text and tables
        // can be collected before the next is read.
        long deadSockets = files.keySet().stream()
                .filter(n -> n.endsWith(PollFiles.DEAD_SUFFIX))
                .count();
        LogTimers timers = null;
        SortedMap<String, TimerStats> timerTails = new TreeMap<>();
        List<Map.Entry<String, Source>> all = new ArrayList<>(files.entrySet());
        for (int from = 0; from < all.size(); from += GROUP) {
            List<ParsedFile> parsed = all.subList(from, Math.min(all.size(), from + GROUP)).parallelStream()
                    .map(e -> parse(e.getKey(), e.getValue()))
                    .toList();
            for (ParsedFile file : parsed) {
                switch (file) {
                    case ParsedFile.Info info -> infos.add(info.record());
                    case ParsedFile.Stat stat -> site.add(stat.table());
                    case ParsedFile.ServersState state -> {
                        serverStates.add(state.answer());
                        answers.add(state.answer());
                    }
                    case ParsedFile.Timers t -> timers = t.timers();
                    case ParsedFile.FileError error -> errors.add(error.message());
                    case ParsedFile.Ignored ignored -> {}
                }
            }
        }
        if (!infos.isEmpty()) {
            long t0 = clock.nanoTime();
            int before = out.lines();
            DaemonAggregator.aggregate(
                    infos, settings.calculatePercentages(), settings.perProcessMetrics(), paths, out);
            if (out.lines() > before) {
                out.add(paths.self("MetricsHAProxy"), out.lines() - before + 1);
            }
            out.addFormatted(paths.self("WallClockTimeHAProxy"), seconds(clock.nanoTime() - t0));
        }
        if (site.any() || serverStates.any()) {
            // Rows were grouped while the files were parsed; these times cover naming and formatting.
            long t0 = clock.nanoTime();
            int before = out.lines();
            site.emitFrontends(paths, out);
            out.add(paths.self("MetricsFrontend"), out.lines() - before + 1);
            out.addFormatted(paths.self("WallClockTimeFrontends"), seconds(clock.nanoTime() - t0));

            t0 = clock.nanoTime();
            before = out.lines();
            site.emitBackends(paths, out);
            out.add(paths.self("MetricsBackend"), out.lines() - before + 1);
            out.addFormatted(paths.self("WallClockTimeBackends"), seconds(clock.nanoTime() - t0));

            t0 = clock.nanoTime();
            before = out.lines();
            site.emitServers(paths, out);
            serverStates.emit(paths, out);
            out.add(paths.self("MetricsServer"), out.lines() - before + 1);
            out.addFormatted(paths.self("WallClockTimeServers"), seconds(clock.nanoTime() - t0));
        }
        if (timers != null) {
            // Only a poll that carries log_timers ([logs] on the puller) has these lines.
            long t0 = clock.nanoTime();
            int before = out.lines();
            TimerLines.emit(timers, settings.timerPercentiles(), frontendsOut, backendsOut, paths, out, timerTails);
            out.add(paths.self("MetricsTimers"), out.lines() - before + 1);
            out.add(paths.self("LogLinesDropped"), timers.counters().dropped());
            out.add(paths.self("LogLinesUnparsed"), timers.counters().unparsed());
            out.addFormatted(paths.self("WallClockTimeTimers"), seconds(clock.nanoTime() - t0));
        }
        if (deadSockets > 0) {
            // Sent only when a socket was left out, so a poll of live sockets is the original's output.
            out.add(paths.self("DeadSockets"), deadSockets);
        }
        out.addFormatted(paths.self("WallClockTimeAllStats"), seconds(clock.nanoTime() - start));
        out.addFormatted(paths.self("TotalWallClockTime"), seconds(clock.nanoTime() - start));
        return new Result(out, List.copyOf(errors), List.copyOf(answers), timerTails);
    }

    /** One file of the poll as what it holds; never throws. */
    private ParsedFile parse(String name, Source source) {
        if (name.equals(PollFiles.LOG_TIMERS)) {
            return timers(name, source);
        }
        if (!name.endsWith(PollFiles.INFO_SUFFIX)
                && !name.endsWith(PollFiles.STAT_SUFFIX)
                && !name.endsWith(PollFiles.SERVERS_STATE_SUFFIX)) {
            return new ParsedFile.Ignored(name); // _dead, a master's _proc: not read at all
        }
        Answer bytes;
        try {
            bytes = source.read();
        } catch (IOException e) {
            return new ParsedFile.FileError(name, 0, "cannot read: " + e.getMessage());
        }
        try {
            if (name.endsWith(PollFiles.INFO_SUFFIX)) {
                return new ParsedFile.Info(InfoParser.parse(name, stem(name, PollFiles.INFO_SUFFIX), bytes.text()));
            } else if (name.endsWith(PollFiles.STAT_SUFFIX) && bytes.length() > 0) {
                return new ParsedFile.Stat(StatParser.parse(
                        name,
                        stem(name, PollFiles.STAT_SUFFIX),
                        bytes.bytes(),
                        bytes.offset(),
                        bytes.length(),
                        wanted,
                        settings.stateMetrics()));
            } else if (name.endsWith(PollFiles.SERVERS_STATE_SUFFIX) && bytes.length() > 0) {
                return new ParsedFile.ServersState(ServersStateAnswer.parse(bytes.text()));
            }
            return new ParsedFile.Ignored(name);
        } catch (ParseException e) {
            return e.error();
        } catch (ServersStateAnswer.MalformedException e) {
            return new ParsedFile.FileError(name, e.line(), e.getMessage());
        }
    }

    /** The puller's {@code log_timers}: checked line by line; a bad one is a FileError naming the line. */
    private static ParsedFile timers(String name, Source source) {
        try {
            return new ParsedFile.Timers(LogTimersFile.parse(source.read().text()));
        } catch (IOException e) {
            return new ParsedFile.FileError(name, 0, "cannot read: " + e.getMessage());
        } catch (LogTimersFile.MalformedException e) {
            return new ParsedFile.FileError(
                    name, e.line(), e.getMessage().substring(e.getMessage().indexOf(": ") + 2));
        }
    }

    private static String stem(String name, String suffix) {
        return name.substring(0, name.length() - suffix.length());
    }

    static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e9);
    }
}
