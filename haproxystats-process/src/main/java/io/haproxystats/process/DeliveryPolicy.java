package io.haproxystats.process;

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
 */
record DeliveryPolicy(long queueSize, Connect connect, Duration delay) {

    static DeliveryPolicy of(GraphiteSettings graphite) {
        return new DeliveryPolicy(graphite.queueSize(), graphite.connect(), graphite.delay());
    }
}
