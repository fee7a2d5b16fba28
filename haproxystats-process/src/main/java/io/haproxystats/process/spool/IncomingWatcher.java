package io.haproxystats.process.spool;

import io.haproxystats.common.spool.Directories;
import io.haproxystats.common.spool.FileModes;
import io.haproxystats.common.spool.PollFiles;
import io.haproxystats.common.spool.SpoolLock;
import io.haproxystats.common.time.Clock;
import io.methvin.watcher.DirectoryChangeEvent;
import io.methvin.watcher.DirectoryWatcher;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the work queue with the poll directories that appear directly in {@code src-dir} (created
 * or moved in: both are CREATE events), and with the ones already there at start. directory-watcher
 * runs with file hashing off and a tree visitor that never descends into a directory, so the files
 * inside poll directories are neither hashed nor walked.
 *
 * <p>A watch can end without a word: {@code rm -rf incoming && mkdir incoming} leaves it on the
 * deleted inode (polls then piled up unseen), and a thread of the watch can die. {@link #check()},
 * run every {@code liveness-check-interval}, notices a directory removed or replaced (its inode
 * changed) and a watch that ended, re-arms on the directory as it is now (recreated and locked
 * again if need be), and rescans, so a poll the watcher did not report waits at most one interval.
 */
public final class IncomingWatcher implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(IncomingWatcher.class);
    /** A poll directory older than this that a rescan finds was missed by the watch, not just early. */
    private static final Duration MISSED = Duration.ofSeconds(2);

    private final Path srcDir;
    private final WorkQueue queue;
    private final ExecutorService executor;
    private SpoolLock lock;
    private DirectoryWatcher watcher;
    private CompletableFuture<Void> watching;
    private Object inode;
    private boolean closed;

    private final Clock clock;

    public IncomingWatcher(Path srcDir, WorkQueue queue, ExecutorService executor, Clock clock) {
        this.clock = clock;
        this.srcDir = srcDir;
        this.queue = queue;
        this.executor = executor;
    }

    /**
     * Locks src-dir for this process, arms the watch, then queues what is already there.
     *
     * @throws io.haproxystats.common.cli.StartupFailure when another processor holds src-dir
     */
    public synchronized void start() throws IOException {
        lock = SpoolLock.acquire(srcDir, SpoolLock.PROCESS, "[process] src-dir");
        arm();
        scan();
    }

    private void arm() throws IOException {
        inode = inode();
        watcher = DirectoryWatcher.builder()
                .path(srcDir)
                .fileHashing(false)
                // directory-watcher reports a new directory through the visitor's directory callback
                // (and registers it with the same call): visit the path itself, never its contents.
                .fileTreeVisitor((path, onDirectory, onFile) -> onDirectory.call(path))
                .listener(this::onEvent)
                .build();
        watching = watcher.watchAsync(executor);
    }

    /** The directory's identity (device and inode), or null when it does not exist. */
    private Object inode() throws IOException {
        try {
            return Files.readAttributes(srcDir, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * Re-arms the watch when src-dir was removed or replaced or the watch ended, with one ERROR
     * line saying which; then rescans. Called periodically.
     *
     * @throws IOException when src-dir cannot be recreated or watched again (the daemon then exits 1)
     */
    public synchronized void check() throws IOException {
        if (closed) {
            return;
        }
        Object now = inode();
        if (now == null || !now.equals(inode)) {
            LOG.error(
                    "[process] src-dir {} was {} while being watched; watching it anew",
                    srcDir,
                    now == null ? "removed (recreated now)" : "replaced");
            watcher.close();
            lock.close();
            FileModes.createDirectories(srcDir);
            lock = SpoolLock.acquire(srcDir, SpoolLock.PROCESS, "[process] src-dir");
            arm();
        } else if (watching.isDone()) {
            String why = watching.handle((ok, failure) -> failure == null ? "it returned" : failure.toString())
                    .join();
            LOG.error("the watch of [process] src-dir {} ended ({}); watching it anew", srcDir, why);
            watcher.close();
            arm();
        }
        int missed = scan();
        if (missed > 0) {
            LOG.warn(
                    "a rescan of {} found {} poll directories the watch had not reported; queued them", srcDir, missed);
        }
    }

    /** Queues every poll directory in src-dir; returns how many were queued that are older than {@link #MISSED}. */
    private int scan() throws IOException {
        int missed = 0;
        long before = clock.millis() - MISSED.toMillis();
        for (Path dir : Directories.subdirectories(srcDir)) {
            if (announce(dir) && lastModified(dir) < before) {
                missed++;
            }
        }
        return missed;
    }

    private static long lastModified(Path dir) {
        try {
            return Files.getLastModifiedTime(dir).toMillis();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    private void onEvent(DirectoryChangeEvent event) throws IOException {
        switch (event.eventType()) {
            case CREATE -> {
                Path path = event.path();
                if (srcDir.equals(path.getParent()) && Files.isDirectory(path)) {
                    announce(path);
                }
            }
            case OVERFLOW -> {
                LOG.warn("watch events overflowed; rescanning {}", srcDir);
                scan();
            }
            default -> {
                // Modifications and deletions inside src-dir need no action.
            }
        }
    }

    /** Queues a poll directory unless queued or in progress already; true when it was queued now. */
    private boolean announce(Path dir) {
        if (!PollFiles.isPollDirectoryName(dir.getFileName().toString())) {
            LOG.debug("ignoring {}: not a poll directory name", dir);
            return false;
        }
        if (queue.offer(dir)) {
            LOG.debug("queued {}", dir);
            return true;
        }
        return false;
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        try {
            watcher.close();
        } finally {
            lock.close();
        }
    }
}
