package io.haproxystats.process;

import java.io.Closeable;
import java.io.IOException;

/**
 * A destination of metric lines. {@link #send} returns only once the whole batch was handed on
 * (written and flushed); it throws when it was not, and then the poll directory stays on disk to
 * be sent again. Implementations are thread-safe.
 */
interface Dispatcher extends Closeable {

    String name();

    void send(MetricBatch batch) throws IOException;
}
