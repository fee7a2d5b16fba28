package io.haproxystats.common.config;

import io.haproxystats.common.config.ini.LayeredConfig;
import io.haproxystats.common.haproxy.SocketAddress;
import io.haproxystats.common.spool.PollFiles.Command;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The validated {@code [pull]} section.
 *
 * @param socketDir    directory whose UNIX sockets are polled (unset: none)
 * @param servers      extra sockets from {@code servers}
 * @param masterSockets master CLI sockets ({@code master-sockets}, new): every worker of each
 *                     master, current and old, is polled through it
 * @param connect      per-socket connect policy ({@code retries}, {@code timeout}, {@code interval})
 * @param pullTimeout  bound of one whole poll; {@link Duration#ZERO} means none
 * @param pullInterval time between the starts of two polls
 * @param bufferLimit  largest answer accepted from one command, in bytes
 * @param workers      the original's thread count for disk writes; accepted and validated, unused:
 *                     every request runs on its own virtual thread
 * @param queueSize    polls are skipped while {@code dstDir} holds this many directories
 * @param commands     what each poll asks every socket ({@code commands}, new): {@code info stat}
 *                     by default, {@code servers-state} optional
 * @param skipDeadSockets {@code skip-dead-sockets} (new, default true): a socket where nothing
 *                     listens (refused, or its file gone) is left out of the poll, which still
 *                     lands; false keeps the original's rule (the whole poll fails)
 * @param statusFile   {@code ${paths:base-dir}/haproxystats-pull.status}, for the nagios check
 * @param logs         {@code [logs]}: the log receiver (off unless {@code listen} is set)
 */
public record PullSettings(
        LogLevel logLevel,
        Optional<Path> socketDir,
        List<SocketAddress> servers,
        Connect connect,
        Duration pullTimeout,
        Duration pullInterval,
        long bufferLimit,
        Path dstDir,
        Path tmpDstDir,
        int workers,
        int queueSize,
        List<SocketAddress> masterSockets,
        List<Command> commands,
        boolean skipDeadSockets,
        Path statusFile,
        LogsSettings logs) {

    public static final String SECTION = "pull";
    /** In {@code [paths] base-dir}; read by contrib/nagios/check_haproxystats_pull. */
    public static final String STATUS_FILE = "haproxystats-pull.status";

    /** Sections this daemon reads; {@code -p}/{@code -P} print these. */
    public static boolean reads(String section) {
        return LayeredConfig.DEFAULT_SECTION.equals(section)
                || SECTION.equals(section)
                || LogsSettings.SECTION.equals(section);
    }

    public static PullSettings from(EffectiveConfig config) {
        String s = SECTION;
        config.resolveAll(List.of(LayeredConfig.DEFAULT_SECTION, s, LogsSettings.SECTION));
        LogLevel level = LogLevel.read(config, s);
        Path statusFile = config.baseDir().resolve(STATUS_FILE);
        Optional<Path> socketDir = config.findPath(s, "socket-dir");
        List<SocketAddress> servers = new ArrayList<>();
        config.find(s, "servers").ifPresent(value -> {
            for (String url : value.split(",")) {
                if (url.isBlank()) {
                    continue;
                }
                try {
                    servers.add(SocketAddress.parse(url));
                } catch (IllegalArgumentException e) {
                    throw ConfigurationException.forOption(s, "servers", e.getMessage());
                }
            }
        });
        List<SocketAddress> masters = new ArrayList<>();
        config.find(s, "master-sockets").ifPresent(value -> {
            for (String entry : value.split(",")) {
                String e = entry.strip();
                if (e.isEmpty()) {
                    continue;
                }
                try {
                    masters.add(
                            e.startsWith("/")
                                    ? new SocketAddress.Unix(config.path(s, "master-sockets", e))
                                    : SocketAddress.parse(e));
                } catch (IllegalArgumentException ex) {
                    throw ConfigurationException.forOption(
                            s, "master-sockets", ex.getMessage() + " (or an absolute path)");
                }
            }
        });
        Connect connect = new Connect(
                (int) config.getInt(s, "retries", -1, Integer.MAX_VALUE),
                config.getDuration(s, "timeout", 0.001),
                config.getDuration(s, "interval", 0),
                1.0);
        Duration pullTimeout = config.getDuration(s, "pull-timeout", 0);
        Duration pullInterval = config.getDuration(s, "pull-interval", 0.1);
        long bufferLimit = config.getInt(s, "buffer-limit", 1, Integer.MAX_VALUE - 16);
        Path dst = config.getPath(s, "dst-dir");
        Path tmp = config.getPath(s, "tmp-dst-dir");
        Path dstNormal = dst.toAbsolutePath().normalize();
        Path tmpNormal = tmp.toAbsolutePath().normalize();
        if (dstNormal.equals(tmpNormal)) {
            throw ConfigurationException.forOption(
                    s, "tmp-dst-dir", "must differ from dst-dir, both are '" + dst + "'");
        }
        if (dstNormal.startsWith(tmpNormal) || tmpNormal.startsWith(dstNormal)) {
            throw ConfigurationException.forOption(
                    s,
                    "tmp-dst-dir",
                    "'" + tmp + "' and dst-dir '" + dst
                            + "' are inside one another; they must be two separate directories");
        }
        uniqueNames(servers, masters);
        int workers = (int) config.getInt(s, "workers", 1, 10_000);
        int queueSize = (int) config.getInt(s, "queue-size", 1, Integer.MAX_VALUE);
        return new PullSettings(
                level,
                socketDir,
                List.copyOf(servers),
                connect,
                pullTimeout,
                pullInterval,
                bufferLimit,
                dst,
                tmp,
                workers,
                queueSize,
                List.copyOf(masters),
                commands(config),
                config.find(s, "skip-dead-sockets").isEmpty() || config.getBoolean(s, "skip-dead-sockets"),
                statusFile,
                LogsSettings.from(config));
    }

    /**
     * Every socket's answers are files named after it ({@code <name>_info}...): two {@code servers}
     * or {@code master-sockets} entries with one name (UNIX sockets with one base name in two
     * directories) would write the same files, and every poll would fail.
     */
    private static void uniqueNames(List<SocketAddress> servers, List<SocketAddress> masters) {
        Map<String, SocketAddress> seen = new HashMap<>();
        for (SocketAddress a : servers) {
            SocketAddress other = seen.putIfAbsent(a.name(), a);
            if (other != null && !other.equals(a)) {
                throw ConfigurationException.forOption(
                        SECTION,
                        "servers",
                        other + " and " + a + " would both " + "write the files " + a.name()
                                + "_*; give the socket files different names");
            }
        }
        for (SocketAddress m : masters) {
            SocketAddress other = seen.putIfAbsent(m.name(), m);
            if (other != null) {
                throw ConfigurationException.forOption(
                        SECTION,
                        "master-sockets",
                        other + " and " + m + " have the same name " + m.name()
                                + "; give the socket files different names");
            }
        }
    }

    /** What a poll asks when {@code commands} is not set. */
    static final List<Command> DEFAULT_COMMANDS = List.of(Command.INFO, Command.STAT);

    /** {@code commands}: a space list of info, stat, servers-state; default {@code info stat}. */
    static List<Command> commands(EffectiveConfig config) {
        Optional<String> value = config.find(SECTION, "commands");
        if (value.isEmpty()) {
            return DEFAULT_COMMANDS;
        }
        List<Command> out = new ArrayList<>();
        for (String name : value.get().strip().split("\\s+")) {
            Command command = Arrays.stream(Command.values())
                    .filter(c -> c.option().equals(name))
                    .findFirst()
                    .orElseThrow(() -> ConfigurationException.forOption(
                            SECTION, "commands", "'" + name + "' is not one of info, stat, servers-state"));
            if (out.contains(command)) {
                throw ConfigurationException.forOption(SECTION, "commands", "'" + name + "' is listed twice");
            }
            out.add(command);
        }
        if (!out.contains(Command.INFO) || !out.contains(Command.STAT)) {
            throw ConfigurationException.forOption(
                    SECTION,
                    "commands",
                    "must list info and stat (every metric comes from them); servers-state is optional");
        }
        return List.copyOf(out);
    }
}
