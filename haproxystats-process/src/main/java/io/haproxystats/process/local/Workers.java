package io.haproxystats.process.local;

import io.haproxystats.common.spool.Directories;
import io.haproxystats.common.time.Clock;
import io.haproxystats.process.spool.WorkQueue;
import io.haproxystats.process.status.LastFinished;
import io.haproxystats.process.status.Progress;
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
 * A worker computes a poll and submits its lines, then takes the next directory; the directory is
 * released (or, when it could not be delivered, offered again after {@code retryDelay}) when its
 * delivery completes. A worker blocks in submit while a dispatcher's queue is full: that is the
 * backpressure. {@link #stop()} lets each worker finish the directory in hand and exit.
 */
public final class Workers implements Progress {

    private static final Logger LOG = LoggerFactory.getLogger(Workers.class);

    private final WorkQueue queue;
    private final PollHandler handler;
    private final ScheduledExecutorService timer;
    private final Duration retryDelay;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;
    private final Clock clock;
    private final LastFinished last;

    private final Path src;

    public Workers(
            Path src,
            WorkQueue queue,
            PollHandler handler,
            ScheduledExecutorService timer,
            Duration retryDelay,
            Clock clock) {
        this.src = src;
        this.clock = clock;
        this.last = new LastFinished(clock);
        this.queue = queue;
        this.handler = handler;
        this.timer = timer;
        this.retryDelay = retryDelay;
    }

    public void start(int count) {
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
            try {
                handler.handle(dir).whenComplete((outcome, failure) -> {
                    if (failure != null) {
                        LOG.error("{}: unexpected failure after delivery; the directory stays in place", dir, failure);
                    }
                    release(dir, failure == null ? outcome : PollHandler.Outcome.RETRY);
                });
            } catch (InterruptedException e) {
                queue.done(dir);
                return;
            } catch (RuntimeException e) {
                // A bug must not lose the poll: it stays on disk and the worker goes on.
                LOG.error("{}: unexpected failure; the directory stays in place", dir, e);
                release(dir, PollHandler.Outcome.RETRY);
            }
            // An Error ends the worker (the liveness check then stops the daemon); an
            // OutOfMemoryError ends the JVM (-XX:+ExitOnOutOfMemoryError): PollHandler sizes a poll
            // against the heap before reading it, so that a poll too large goes to quarantine
            // instead of into a restart loop.
        }
    }

    private void release(Path dir, PollHandler.Outcome outcome) {
        if (outcome != PollHandler.Outcome.RETRY && outcome != PollHandler.Outcome.GONE) {
            last.finished(dir.getFileName().toString());
        } else {
            last.progressed();
        }
        if (outcome == PollHandler.Outcome.RETRY && running) {
            timer.schedule(
                    () -> {
                        queue.done(dir);
                        queue.offer(dir);
                    },
                    retryDelay.toMillis(),
                    TimeUnit.MILLISECONDS);
        } else {
            queue.done(dir);
        }
    }

    @Override
    public LastFinished last() {
        return last;
    }

    /** True while every worker thread runs (the liveness check). */
    @Override
    public boolean allAlive() {
        return threads.stream().allMatch(Thread::isAlive);
    }

    @Override
    public long waiting() {
        return Directories.waiting(src);
    }

    public void stop() {
        running = false;
    }

    public void join() throws InterruptedException {
        for (Thread t : threads) {
            t.join();
        }
    }
}
