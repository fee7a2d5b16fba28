package io.haproxystats.process.delivery;

import io.haproxystats.process.compute.MetricBatch;
import java.io.IOException;

/**
 * The transport half of a queueing dispatcher: one connection to one destination, driven by the
 * dispatcher's single sender thread. It knows how to reach the peer and write a batch; it knows
 * nothing of queues, order, retries or drops ({@link QueueingDispatcher} keeps those). After any
 * failed {@link #send} the connection is closed and {@link #isConnected()} is false; the
 * dispatcher then connects again and sends the same batch first.
 */
public interface Sender {

    /** The kind of destination, one word: {@code Graphite}. Names the sender thread and the self metrics. */
    String kind();

    /** How logs and messages name the destination, e.g. {@code graphite 127.0.0.1:2003}. */
    String name();

    /**
     * One connection try, bounded by the transport's connect timeout. Whatever the transport must
     * do before new batches on a fresh connection (Graphite: write its replay window again) is
     * done here; on any failure the connection is left closed.
     */
    void connect() throws IOException;

    boolean isConnected();

    /**
     * Writes one whole batch and flushes it. Returns only once the transport counts it handed on
     * (for Graphite: written and flushed without error); on failure the connection is closed.
     */
    void send(MetricBatch batch) throws IOException;

    /** Closes the connection. Safe from any thread: it unblocks a send in progress. Idempotent. */
    void close();

    /**
     * A warning about the peer worth showing in the status file while it lasts (Graphite: the
     * peer keeps writing to us, which a plaintext listener never does); empty when none.
     */
    default String peerWarning() {
        return "";
    }
}
