package io.haproxystats.process.delivery;

import java.time.Duration;
import java.util.List;

/**
 * Every dispatcher of a processor, as its life needs them: Graphite's (whose state the status file
 * reports) and all of them in order ({@code [local-store]}, Graphite, {@code [kafka-dispatch]}).
 */
public record Dispatchers(QueueingDispatcher graphite, List<Dispatcher> all) {

    public Dispatchers {
        all = List.copyOf(all);
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
