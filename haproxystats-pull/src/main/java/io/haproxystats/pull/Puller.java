package io.haproxystats.pull;

import io.haproxystats.common.cli.StartupFailure;
import io.haproxystats.common.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a poll every {@code pull-interval} on the phase of the first one: it sleeps to the next
 * tick rather than for a fixed time after the work, and a poll that overruns skips the ticks it
 * missed instead of bursting to catch up. {@link #stop()} abandons an in-flight poll.
 */
final class Puller implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(Puller.class);

    /** The work done at each tick; a plain method so tests can call it without the schedule. */
    interface PollTask {
        void poll() throws Exception;
    }

    private final PollTask task;
    private final long intervalNanos;
    private final Clock clock;
    private volatile boolean running = true;
    private volatile Thread thread;
    private volatile long lastTickNanos;
    private volatile StartupFailure failure;

    Puller(PollTask task, Duration interval, Clock clock) {
        this.task = task;
        this.intervalNanos = interval.toNanos();
        this.clock = clock;
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        long start = clock.nanoTime();
        long tick = 0;
        while (running) {
            long due = start + tick * intervalNanos;
            try {
                long sleep = due - clock.nanoTime();
                if (sleep > 0) {
                    clock.sleep(Duration.ofNanos(sleep));
                }
                lastTickNanos = clock.nanoTime();
                task.poll();
            } catch (InterruptedException e) {
                if (!running) {
                    break;
                }
                Thread.interrupted();
            } catch (StartupFailure e) {
                // Another instance took the spool: going on would corrupt both; the daemon exits 1.
                LOG.error("{}; stopping", e.getMessage());
                failure = e;
                running = false;
                break;
            } catch (Throwable t) {
                // One failing poll must not end the schedule; the next tick tries again.
                LOG.error("poll failed: {}", t.toString(), t);
            }
            // The first tick not yet past: a poll that took exactly one interval is followed at once.
            long next = Math.max(tick + 1, Math.ceilDiv(clock.nanoTime() - start, intervalNanos));
            if (next > tick + 1) {
                LOG.warn("poll overran pull-interval; skipping {} tick(s)", next - tick - 1);
            }
            tick = next;
        }
        LOG.info("scheduler stopped");
    }

    /** Stops scheduling and abandons the in-flight poll; safe from any thread, idempotent. */
    void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    /** Why the schedule ended by itself (the spool was taken by another instance), or null. */
    StartupFailure failure() {
        return failure;
    }

    /** {@link Clock#nanoTime()} at the start of the latest poll, for liveness reporting. */
    long lastTickNanos() {
        return lastTickNanos;
    }
}
