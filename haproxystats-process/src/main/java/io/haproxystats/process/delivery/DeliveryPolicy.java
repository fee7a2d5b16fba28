package io.haproxystats.process.delivery;

import io.haproxystats.common.config.Connect;
import io.haproxystats.common.config.GraphiteSettings;
import java.time.Duration;

/**
 * What a {@link QueueingDispatcher} does with the batches it holds, whatever the transport.
 *
 * @param queueSize most lines held before {@code submit} blocks (a larger batch is admitted into an
 *                  empty queue)
 * @param connect   tries a round and the waits between them ({@code retries}, {@code interval},
 *                  {@code backoff}); its timeout is the transport's
 * @param delay     the pause after a round of failed tries before the next round
 * @param maxBytes  most bytes of batches held, whatever their lines: a quarter of the heap by
 *                  default, so that a queue of large polls cannot exhaust it (a batch larger than
 *                  that is admitted into an empty queue, as for queue-size)
 */
public record DeliveryPolicy(long queueSize, Connect connect, Duration delay, long maxBytes) {

    DeliveryPolicy(long queueSize, Connect connect, Duration delay) {
        this(queueSize, connect, delay, Runtime.getRuntime().maxMemory() / 4);
    }

    public static DeliveryPolicy of(GraphiteSettings graphite) {
        return new DeliveryPolicy(graphite.queueSize(), graphite.connect(), graphite.delay());
    }
}
