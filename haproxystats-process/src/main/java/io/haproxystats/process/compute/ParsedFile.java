package io.haproxystats.process.compute;

import io.haproxystats.common.haproxy.ServersStateAnswer;
import io.haproxystats.common.logs.LogTimers;

/**
 * What one file of a poll directory turned into: the answer it holds, the error that kept it
 * from being read, or nothing to read (a file no command wrote, an empty answer). Sealed, so every
 * consumer handles every case.
 */
sealed interface ParsedFile {

    /** A {@code show info} answer. */
    record Info(InfoRecord record) implements ParsedFile {}

    /** A {@code show stat} answer. */
    record Stat(StatTable table) implements ParsedFile {}

    /** A {@code show servers state} answer. */
    record ServersState(ServersStateAnswer answer) implements ParsedFile {}

    /** The puller's request-log sketches of the interval ({@code log_timers}, {@code [logs]}). */
    record Timers(LogTimers timers) implements ParsedFile {}

    /** A file that could not be read or parsed: which, where (line 0: the whole file) and why. */
    record FileError(String file, int line, String reason) implements ParsedFile {
        /** {@code <file> line <n>: <reason>}, as logged. */
        String message() {
            return file + (line > 0 ? " line " + line : "") + ": " + reason;
        }
    }

    /** A file with no answer to aggregate ({@code <name>_dead}, {@code <master>_proc}, an empty answer). */
    record Ignored(String file) implements ParsedFile {}
}
