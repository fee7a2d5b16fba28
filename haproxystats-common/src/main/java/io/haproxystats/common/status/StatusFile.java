package io.haproxystats.common.status;

import io.haproxystats.common.spool.FileModes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon's small status file in the base directory, read by the nagios checks
 * ({@code contrib/nagios}): {@code key=value} lines, replaced whole by a rename so a reader never
 * sees half of it. Keys always present: {@code pid}, {@code updated} (epoch seconds of this
 * write); the daemon adds its own, and last the fixed ones it was made with: the paths the checks
 * need ({@code config}, the configuration file as {@link #configPath} writes it; the puller's
 * {@code dst_dir}), so that a check finds them here without starting a JVM to resolve the
 * configuration ({@code contrib/nagios/haproxystats-check}). Failures to write are logged once and
 * never stop the daemon.
 */
public final class StatusFile {

    private static final Logger LOG = LoggerFactory.getLogger(StatusFile.class);

    private final Path file;
    private final Map<String, Object> fixed;
    private boolean failureLogged;

    public StatusFile(Path file) {
        this(file, Map.of());
    }

    /** @param fixed lines written after the daemon's own at every write (in this map's order) */
    public StatusFile(Path file, Map<String, ?> fixed) {
        this.file = file;
        this.fixed = new LinkedHashMap<>(fixed);
    }

    /**
     * The configuration file as the status file names it and the nagios check compares it: its
     * real path (symbolic links resolved, as {@code realpath} gives it), or the absolute normalised
     * path when it does not exist (the daemon then runs on the built-in defaults).
     */
    public static String configPath(Path configFile) {
        try {
            return configFile.toRealPath().toString();
        } catch (IOException e) {
            return configFile.toAbsolutePath().normalize().toString();
        }
    }

    public Path path() {
        return file;
    }

    /** Replaces the file's content with pid, updated and {@code values}, in that order. */
    public synchronized void write(long nowEpochSeconds, Map<String, ?> values) {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("pid", ProcessHandle.current().pid());
        all.put("updated", nowEpochSeconds);
        all.putAll(values);
        all.putAll(fixed);
        StringBuilder text = new StringBuilder();
        all.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            FileModes.createDirectories(file.getParent());
            FileModes.writeString(tmp, text.toString());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            failureLogged = false;
        } catch (IOException e) {
            if (!failureLogged) {
                failureLogged = true;
                LOG.warn(
                        "cannot write status file {} ({}); the nagios checks will report it stale", file, e.toString());
            }
        }
    }
}
