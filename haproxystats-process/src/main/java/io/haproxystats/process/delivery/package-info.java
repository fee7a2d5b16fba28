/**
 * How a poll's lines leave: policy apart from transport.
 *
 * <pre>
 * FanOut.submit(poll, batch) ─→ every Dispatcher that has not delivered this poll yet
 *     (with [graphite] format = tags each wrapped in a TaggingDispatcher: the batch's paths as
 *      tagged series, compute.SeriesMapping, then the inner dispatcher)
 *     LocalStoreDispatcher ([local-store], synchronous)
 *     QueueingDispatcher (bounded FIFO of batches, order, retries with backoff, the drop rule;
 *                         DeliveryPolicy; injected Clock) ─→ Sender (graphite.GraphiteConnection,
 *                                                                  kafka.KafkaLineSender)
 *   ─→ one future: complete (every dispatcher delivered or dropped) or not (retried for the others)
 * Dispatchers: a processor's set (Graphite's first for the status file), stopped and closed in order
 * </pre>
 */
package io.haproxystats.process.delivery;
