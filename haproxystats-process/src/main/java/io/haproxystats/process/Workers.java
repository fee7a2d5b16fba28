package io.haproxystats.process;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code workers} platform threads (the work is CPU-bound) taking poll directories from the queue.
 * A directory whose lines could not be delivered goes back to the queue after {@code retryDelay}.
 * {@link #stop()} lets each worker finish the directory in hand and exit.
 */
final class Workers {

    private static final Logger LOG = LoggerFactory.getLogger(Workers.class);

    private final WorkQueue queue;
    private final PollHandler handler;
    private final ScheduledExecutorService timer;
    private final Duration retryDelay;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    Workers(WorkQueue queue, PollHandler handler, ScheduledExecutorService timer, Duration retryDelay) {
        this.queue = queue;
        this.handler = handler;
        this.timer = timer;
        this.retryDelay = retryDelay;
    }

    void start(int count) {
        for (int i = 0; i < count; i++) {
            threads.add(Thread.ofPlatform().name("process-worker-" + i).start(this::loop));
        }
    }

    private void loop() {
        while (running) {
            Path dir;
            try {
                dir = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (dir == null) {
                continue;
            }
            PollHandler.Outcome outcome;
            try {
                outcome = handler.handle(dir);
            } catch (RuntimeException e) {
                // A bug must not lose the poll: it stays on disk and the worker goes on.
                LOG.error("{}: unexpected failure; the directory stays in place", dir, e);
                outcome = PollHandler.Outcome.RETRY;
            }
            if (outcome == PollHandler.Outcome.RETRY && running) {
                timer.schedule(() -> {
                    queue.done(dir);
                    queue.offer(dir);
                }, retryDelay.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                queue.done(dir);
            }
        }
    }

    /** True while every worker thread runs (the liveness check). */
    boolean allAlive() {
        return threads.stream().allMatch(Thread::isAlive);
    }

    void stop() {
        running = false;
    }

    void join() throws InterruptedException {
        for (Thread t : threads) {
            t.join();
        }
    }
}
