package io.haproxystats.process.spool;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Poll directories waiting for a worker. A directory is in the queue or being worked on at most
 * once: the watcher event and the start-up scan may both announce it. Thread-safe.
 */
public final class WorkQueue {

    private final LinkedBlockingQueue<Path> queue = new LinkedBlockingQueue<>();
    private final Set<Path> claimed = ConcurrentHashMap.newKeySet();

    /** Adds a directory unless it is already queued or in progress; returns whether it was added. */
    public boolean offer(Path dir) {
        if (!claimed.add(dir)) {
            return false;
        }
        queue.add(dir);
        return true;
    }

    /** The next directory, or null after the timeout. */
    public Path poll(long timeout, TimeUnit unit) throws InterruptedException {
        return queue.poll(timeout, unit);
    }

    /** Marks a directory as finished, so a later announcement of the same name is taken again. */
    public void done(Path dir) {
        claimed.remove(dir);
    }

    int size() {
        return queue.size();
    }
}
