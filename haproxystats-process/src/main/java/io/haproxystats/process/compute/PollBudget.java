package io.haproxystats.process.compute;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * What a poll may take of the heap, decided from its sizes before anything is read, and the one
 * large poll computed at a time: the same bounds for a poll from src-dir and from the polls topic,
 * so a central processor takes large polls in the heap a load balancer's processor has.
 */
public final class PollBudget {

    /**
     * A poll larger than a sixteenth of the heap (a large poll is 53 MB of files and 20 MB of lines)
     * is computed only while no other large one is between its computation and its admission to
     * the dispatchers' queues, whose bound counts bytes too: so a backlog of large polls after an
     * outage holds one batch outside the queues, not one per worker.
     */
    public static final long LARGE_POLL = Runtime.getRuntime().maxMemory() / 16;

    private final Semaphore oneLargePoll = new Semaphore(1);

    /** Work on one poll: its computation and its submission to the dispatchers. */
    public interface Work<T> {
        T run() throws InterruptedException;
    }

    /**
     * Runs the work, waiting first for any other large poll's work when this one is large
     * ({@code bytes} its files' size, before compression).
     */
    public <T> T admit(long bytes, Work<T> work) throws InterruptedException {
        boolean large = bytes > LARGE_POLL;
        if (large) {
            oneLargePoll.acquire(); // released once its batch is in every dispatcher's queue
        }
        try {
            return work.run();
        } finally {
            if (large) {
                oneLargePoll.release();
            }
        }
    }

    /**
     * How much of the heap a poll may take, decided from its file sizes before anything is read:
     * the {@code group} largest files (parsed at once, each held as bytes and as columns: about 2.5
     * times its size) at most a quarter of the heap. The number of files does not count: they are
     * read a group at a time and only the running totals stay (a 64-file, 106 MB poll runs in a
     * 144 MB heap). A poll beyond it would exhaust the heap, and the JVM exits on an
     * OutOfMemoryError (restarting into the same poll, forever); it goes to quarantine instead.
     * Returns the reason, or null.
     */
    public static String heapCheck(List<Long> sizes, int group, long maxHeap) {
        long largest = sizes.stream()
                .sorted(Comparator.reverseOrder())
                .limit(group)
                .mapToLong(Long::longValue)
                .sum();
        if (largest > maxHeap / 4) {
            return "too large for the heap: the " + Math.min(group, sizes.size()) + " largest of " + sizes.size()
                    + " files are " + largest + " bytes, more than a quarter of -Xmx " + maxHeap
                    + " bytes (they are parsed at once); not read. Raise -Xmx with HAPROXYSTATS_JAVA_OPTS "
                    + "and move it back into src-dir to process it";
        }
        return null;
    }
}
