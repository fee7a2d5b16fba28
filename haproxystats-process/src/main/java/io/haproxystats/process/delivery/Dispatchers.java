package io.haproxystats.process.delivery;

import io.haproxystats.process.status.StatusValues;
import java.time.Duration;
import java.util.List;

/**
 * Every dispatcher of a processor, as its life needs them: Graphite's (whose state the status file
 * reports) and all of them in order ({@code [local-store]}, Graphite, {@code [kafka-dispatch]},
 * the OpenMetrics endpoint's), and the parts with figures of their own in the status file.
 */
public record Dispatchers(QueueingDispatcher graphite, List<Dispatcher> all, List<StatusValues> statusValues) {

    public Dispatchers {
        all = List.copyOf(all);
        statusValues = List.copyOf(statusValues);
    }

    /** Dispatchers without figures of their own in the status file. */
    public Dispatchers(QueueingDispatcher graphite, List<Dispatcher> all) {
        this(graphite, all, List.of());
    }

    /** Why a dispatcher can no longer send (its sender thread died), or null. */
    public String deadSender() {
        for (Dispatcher d : all) {
            Dispatcher sending = d instanceof TaggingDispatcher t ? t.inner() : d;
            if (sending instanceof QueueingDispatcher q && !q.senderAlive()) {
                return "the " + q.name() + " sender thread died";
            }
        }
        return null;
    }

    /** A submit blocked on a full queue gives its batch back: the stop does not wait on it. */
    public void stopWaiting() {
        all.forEach(Dispatcher::stopWaiting);
    }

    /** Flushes each within {@code drain}, then closes it; what is not flushed stays on disk or in the topic. */
    public void close(Duration drain) throws InterruptedException {
        for (Dispatcher d : all) {
            d.close(drain);
        }
    }
}
