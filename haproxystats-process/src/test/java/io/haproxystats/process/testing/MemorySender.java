package io.haproxystats.process.testing;

import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.delivery.Sender;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * A {@link Sender} in memory, for the dispatcher's policy tests: it refuses connections while told
 * to, fails the send of chosen batches once, can hold a send until released, and records what it
 * was asked to do in order ({@code connect}, {@code send:<timestamp>}, {@code fail:<timestamp>}).
 */
public final class MemorySender implements Sender {

    private volatile boolean reachable = true;
    private volatile CountDownLatch hold = new CountDownLatch(0);
    private final Set<String> failOnce = new HashSet<>();
    private final List<String> events = new ArrayList<>();
    private final List<String> delivered = new ArrayList<>();
    private boolean connected;

    public MemorySender reachable(boolean value) {
        reachable = value;
        return this;
    }

    /** The next send of the batch with this timestamp fails, as a reset would, closing the connection. */
    public synchronized MemorySender failNextSendOf(String timestamp) {
        failOnce.add(timestamp);
        return this;
    }

    /** Sends block until {@link #release()}. */
    public MemorySender holdSends() {
        hold = new CountDownLatch(1);
        return this;
    }

    public void release() {
        hold.countDown();
    }

    @Override
    public String kind() {
        return "Memory";
    }

    @Override
    public String name() {
        return "memory test";
    }

    @Override
    public void connect() throws IOException {
        record("connect");
        if (!reachable) {
            try {
                Thread.sleep(1); // a refused connect takes some time; keeps the test's sender thread from spinning
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("refused");
        }
        synchronized (this) {
            connected = true;
        }
    }

    @Override
    public synchronized boolean isConnected() {
        return connected;
    }

    @Override
    public void send(MetricBatch batch) throws IOException {
        try {
            hold.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        synchronized (this) {
            if (failOnce.remove(batch.timestamp())) {
                events.add("fail:" + batch.timestamp());
                connected = false;
                throw new IOException("reset by peer");
            }
            events.add("send:" + batch.timestamp());
            delivered.add(batch.timestamp());
        }
    }

    @Override
    public synchronized void close() {
        connected = false;
    }

    private synchronized void record(String event) {
        events.add(event);
    }

    public synchronized List<String> events() {
        return List.copyOf(events);
    }

    /** Timestamps of the batches sent, in order. */
    public synchronized List<String> delivered() {
        return List.copyOf(delivered);
    }
}
