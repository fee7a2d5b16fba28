package io.haproxystats.common.spool;

/**
 * The directory contract between the two daemons. A poll directory is named after the poll's
 * start in whole seconds since the epoch (the Graphite timestamp of its lines) and holds, for each
 * stats socket, {@code <name>_info} (the answer to {@code show info}) and {@code <name>_stat}
 * ({@code show stat}), exactly as HAProxy sent them. The puller writes it under
 * {@code tmp-dst-dir} and renames it into {@code dst-dir} only when every answer arrived, so the
 * processor never sees a partial poll. With {@code [pull] commands} naming servers-state, each
 * socket also has {@code <name>_servers_state} ({@code show servers state}). A socket where
 * nothing listened ({@code [pull] skip-dead-sockets}) has only {@code <name>_dead}, one line
 * saying why, instead of its answers. A master CLI ({@code [pull] master-sockets}) adds
 * {@code <master>_proc} (its {@code show proc}) and, for each worker, the answers above under
 * the name {@code <master>.<pid>}. With {@code [logs] listen}, the poll also holds
 * {@link #LOG_TIMERS}: the request timers HAProxy logged since the previous poll, as sketches.
 */
public final class PollFiles {

    public static final String INFO_SUFFIX = "_info";
    public static final String STAT_SUFFIX = "_stat";
    public static final String SERVERS_STATE_SUFFIX = "_servers_state";
    /** A master CLI's {@code show proc} answer, kept in the poll for reference; not aggregated. */
    public static final String PROC_SUFFIX = "_proc";
    /** A socket with no HAProxy behind it in this poll: the processor counts these (DeadSockets). */
    public static final String DEAD_SUFFIX = "_dead";
    /**
     * The log receiver's file ({@link io.haproxystats.common.logs.LogTimersFile}): one per poll,
     * never a socket's (no command writes the suffix {@code _timers}). A processor that does not
     * read it ignores it, as every name without a known suffix.
     */
    public static final String LOG_TIMERS = "log_timers";
    /**
     * The largest {@link #LOG_TIMERS} a processor reads: not {@code [pull] buffer-limit}, which
     * bounds one HAProxy answer, while this file grows with the busy servers (9.2 MB for 10,000:
     * docs/benchmarks.md); {@code [logs] max-series} names at most, six timers each, fit.
     */
    public static final long LOG_TIMERS_MAX_BYTES = 256L << 20;

    /** The largest size a processor accepts for the poll file {@code name}: {@code bufferLimit} for an answer. */
    public static long maxBytes(String name, long bufferLimit) {
        return LOG_TIMERS.equals(name) ? Math.max(bufferLimit, LOG_TIMERS_MAX_BYTES) : bufferLimit;
    }

    private PollFiles() {}

    /** The HAProxy commands, each with the suffix of the file its answer goes to. */
    public enum Command {
        INFO("show info", INFO_SUFFIX, "Name: ", "info"),
        STAT("show stat", STAT_SUFFIX, "# ", "stat"),
        /** Optional ({@code [pull] commands}): operational and administrative state per server. */
        SERVERS_STATE("show servers state", SERVERS_STATE_SUFFIX, "1\n# ", "servers-state");

        private final String text;
        private final String suffix;
        private final String answerPrefix;
        private final String option;

        Command(String text, String suffix, String answerPrefix, String option) {
            this.text = text;
            this.suffix = suffix;
            this.answerPrefix = answerPrefix;
            this.option = option;
        }

        /** The command's name in {@code [pull] commands}. */
        public String option() {
            return option;
        }

        /**
         * How every HAProxy version's answer to this command starts (1.5 to 3.x); anything else,
         * such as the master CLI's "Unknown command", is not an answer to it.
         */
        public String answerPrefix() {
            return answerPrefix;
        }

        /** What is sent on the socket, without the newline. */
        public String text() {
            return text;
        }

        public String suffix() {
            return suffix;
        }
    }

    /**
     * The name a worker polled through a master CLI has in the poll's files: {@code <master>.<pid>}
     * (so its answers are {@code <master>.<pid>_info} and so on).
     */
    public static String workerName(String masterName, long pid) {
        return masterName + "." + pid;
    }

    /**
     * True for a name made only of ASCII digits: a poll directory (its name is the timestamp of
     * every line; other Unicode digits, which {@link Character#isDigit} accepts, are not one).
     */
    public static boolean isPollDirectoryName(String name) {
        if (name.isEmpty() || name.length() > 19) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
