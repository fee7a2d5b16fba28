package io.haproxystats.process.spool;

import io.haproxystats.common.config.ConfigurationException;
import io.haproxystats.common.spool.Directories;
import io.haproxystats.common.spool.FileModes;
import io.haproxystats.common.time.Clock;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code [process] src-dir} as local mode and an edge take polls from it: created if missing (the
 * start order of the two daemons does not matter), checked for access, cleared of the deletes a
 * stop left half done, locked for this process, and watched into a {@link WorkQueue}. A central
 * processor has none.
 */
public final class SourceDir implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(SourceDir.class);

    private final Path dir;
    private final WorkQueue queue = new WorkQueue();
    private final ExecutorService watcherThread = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("incoming-watcher").factory());
    private final IncomingWatcher watcher;

    private SourceDir(Path dir, Clock clock) {
        this.dir = dir;
        this.watcher = new IncomingWatcher(dir, queue, watcherThread, clock);
    }

    /**
     * Prepares, locks and watches src-dir; a second processor on the same directory stops here,
     * before any work.
     *
     * @throws ConfigurationException src-dir cannot be created or is not readable and writable
     * @throws IOException            it cannot be locked or watched
     */
    public static SourceDir open(Path dir, Clock clock) throws IOException {
        prepare(dir);
        SourceDir source = new SourceDir(dir, clock);
        source.watcher.start();
        return source;
    }

    public Path dir() {
        return dir;
    }

    /** The polls to take, oldest first. */
    public WorkQueue queue() {
        return queue;
    }

    /** Why src-dir can no longer be watched (it could not be re-armed), or null. */
    public String dead() {
        try {
            watcher.check();
            return null;
        } catch (IOException | RuntimeException e) {
            return "cannot watch [process] src-dir " + dir + " again (" + e.getMessage() + ")";
        }
    }

    /** Stops watching and releases the lock. */
    @Override
    public void close() throws IOException {
        watcher.close();
        watcherThread.shutdownNow();
    }

    /** True when src-dir holds as many polls as the puller allows: the durable queue is full too. */
    public static boolean atLimit(Path dir, int limit) {
        try {
            return Directories.countSubdirectories(dir) >= limit;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Creates src-dir if missing, checks its access and clears the deletes a stop left half done;
     * done again by {@link #open}. Called at the daemon's start, so that src-dir exists as soon as
     * the daemon says it is starting.
     *
     * @throws ConfigurationException src-dir cannot be created or is not readable and writable
     */
    public static void prepare(Path dir) {
        try {
            FileModes.createDirectories(dir);
        } catch (IOException e) {
            throw new ConfigurationException("[process] src-dir: cannot create " + dir + ": " + e);
        }
        if (!Files.isReadable(dir) || !Files.isWritable(dir)) {
            throw new ConfigurationException(
                    "[process] src-dir: " + dir + " must be readable and writable by this user");
        }
        try {
            int left = Directories.deleteLeftovers(dir);
            if (left > 0) {
                LOG.info("removed {} delivered poll directories a stop left half deleted in {}", left, dir);
            }
        } catch (IOException e) {
            LOG.warn("cannot remove the half-deleted poll directories in {}: {}", dir, e.toString());
        }
    }
}
