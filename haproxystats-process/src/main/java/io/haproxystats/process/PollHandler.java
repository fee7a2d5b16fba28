package io.haproxystats.process;

import io.haproxystats.common.spool.Directories;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles one poll directory end to end: read its files, compute its lines, hand them to every
 * dispatcher, then delete the directory, or move it to quarantine when a file could not be parsed
 * (the valid files' lines are still sent). If a dispatcher cannot take the lines, the directory is
 * left in place and the caller retries it later: it is the durable copy.
 */
final class PollHandler {

    private static final Logger LOG = LoggerFactory.getLogger(PollHandler.class);
    private static final Pattern COMMENT = Pattern.compile("\\s*#.*");

    enum Outcome { DONE, QUARANTINED, RETRY, GONE }

    private final PollComputation computation;
    private final List<Dispatcher> dispatchers;
    private final Path quarantineDir;
    private final Optional<Path> excludeFrontends;
    private final Optional<Path> excludeBackends;

    PollHandler(PollComputation computation, List<Dispatcher> dispatchers, Path quarantineDir,
                Optional<Path> excludeFrontends, Optional<Path> excludeBackends) {
        this.computation = computation;
        this.dispatchers = dispatchers;
        this.quarantineDir = quarantineDir;
        this.excludeFrontends = excludeFrontends;
        this.excludeBackends = excludeBackends;
    }

    Outcome handle(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Outcome.GONE;
        }
        Map<String, String> files;
        try {
            files = readFiles(dir);
        } catch (IOException e) {
            LOG.error("{}: cannot read: {}; moving it to quarantine", dir, e.toString());
            return quarantine(dir);
        }
        PollComputation.Result result = computation.compute(dir.getFileName().toString(), files,
                names(excludeFrontends), names(excludeBackends));
        for (String error : result.errors()) {
            LOG.error("{}: {}", dir, error);
        }
        for (Dispatcher d : dispatchers) {
            try {
                d.send(result.batch());
            } catch (IOException e) {
                LOG.warn("{}: not delivered to {}: {}; it stays in place and is retried", dir, d.name(), e.getMessage());
                return Outcome.RETRY;
            }
        }
        LOG.info("{}: {} lines sent", dir.getFileName(), result.batch().lines());
        if (!result.errors().isEmpty()) {
            return quarantine(dir);
        }
        try {
            Directories.deleteTree(dir);
        } catch (IOException e) {
            LOG.error("{}: sent, but cannot remove it: {}", dir, e.toString());
        }
        return Outcome.DONE;
    }

    private Outcome quarantine(Path dir) {
        try {
            Files.createDirectories(quarantineDir);
            Path target = quarantineDir.resolve(dir.getFileName());
            for (int i = 1; Files.exists(target); i++) {
                target = quarantineDir.resolve(dir.getFileName() + "." + i);
            }
            Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
            LOG.error("{}: kept for inspection in {}", dir, target);
        } catch (IOException e) {
            LOG.error("{}: cannot move to quarantine {}: {}; leaving it in place", dir, quarantineDir, e.toString());
        }
        return Outcome.QUARANTINED;
    }

    private static Map<String, String> readFiles(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                if (Files.isRegularFile(p)) {
                    files.put(p.getFileName().toString(), new String(Files.readAllBytes(p), StandardCharsets.UTF_8));
                }
            }
        }
        return files;
    }

    /** Names in an exclude file: one per line, '#' comment lines skipped; read at each poll. */
    static Set<String> names(Optional<Path> file) {
        Set<String> names = new HashSet<>();
        if (file.isEmpty()) {
            return names;
        }
        try {
            for (String line : Files.readAllLines(file.get(), StandardCharsets.UTF_8)) {
                if (!COMMENT.matcher(line).matches() && !line.isBlank()) {
                    names.add(line.strip());
                }
            }
        } catch (IOException e) {
            LOG.error("cannot read exclude file {}: {}; excluding nothing", file.get(), e.toString());
        }
        return names;
    }
}
