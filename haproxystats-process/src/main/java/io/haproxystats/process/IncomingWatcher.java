package io.haproxystats.process;

import io.haproxystats.common.spool.Directories;
import io.haproxystats.common.spool.PollFiles;
import io.methvin.watcher.DirectoryChangeEvent;
import io.methvin.watcher.DirectoryWatcher;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the work queue with the poll directories that appear directly in {@code src-dir} (created
 * or moved in: both are CREATE events), and with the ones already there at start. directory-watcher
 * runs with file hashing off and a tree visitor that never descends into a directory, so the files
 * inside poll directories are neither hashed nor walked.
 */
final class IncomingWatcher implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(IncomingWatcher.class);

    private final Path srcDir;
    private final WorkQueue queue;
    private final DirectoryWatcher watcher;

    IncomingWatcher(Path srcDir, WorkQueue queue) throws IOException {
        this.srcDir = srcDir;
        this.queue = queue;
        this.watcher = DirectoryWatcher.builder()
                .path(srcDir)
                .fileHashing(false)
                // directory-watcher reports a new directory through the visitor's directory callback
                // (and registers it with the same call): visit the path itself, never its contents.
                .fileTreeVisitor((path, onDirectory, onFile) -> onDirectory.call(path))
                .listener(this::onEvent)
                .build();
    }

    /** Arms the watch on the given executor, then queues what is already there. */
    void start(ExecutorService executor) throws IOException {
        watcher.watchAsync(executor);
        scan();
    }

    void scan() throws IOException {
        for (Path dir : Directories.subdirectories(srcDir)) {
            announce(dir);
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

    private void announce(Path dir) {
        if (!PollFiles.isPollDirectoryName(dir.getFileName().toString())) {
            LOG.debug("ignoring {}: not a poll directory name", dir);
            return;
        }
        if (queue.offer(dir)) {
            LOG.debug("queued {}", dir);
        }
    }

    @Override
    public void close() throws IOException {
        watcher.close();
    }
}
