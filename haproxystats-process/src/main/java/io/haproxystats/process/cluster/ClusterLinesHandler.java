package io.haproxystats.process.cluster;

import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.compute.MetricPaths;
import io.haproxystats.process.delivery.FanOut;
import io.haproxystats.process.kafka.KafkaPollSource;
import io.haproxystats.process.kafka.Records;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record of the cluster lines topic (a closed window's lines, or a part of them) handed to every
 * dispatcher, as a poll's lines are: the consumer commits it once each delivered (or dropped it
 * under its overflow rule), so a replay after a crash sends identical lines again.
 */
public final class ClusterLinesHandler implements KafkaPollSource.RecordHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterLinesHandler.class);

    private final FanOut fanOut;

    public ClusterLinesHandler(FanOut fanOut) {
        this.fanOut = fanOut;
    }

    @Override
    public CompletableFuture<Void> handle(ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
        if (record.value() == null || record.value().length == 0) {
            return CompletableFuture.completedFuture(null);
        }
        String cluster = record.key() == null ? "?" : new String(record.key(), StandardCharsets.UTF_8);
        // The name local-store gives the window's directory, and messages the batch.
        MetricBatch batch =
                new MetricBatch("cluster-" + MetricPaths.sanitise(cluster) + "-" + record.timestamp() / 1000);
        batch.addLines(record.value());
        int lines = batch.lines();
        Header revision = record.headers().lastHeader(ClusterWindows.REVISION_HEADER);
        String what = revision == null || revision.value() == null
                ? ""
                : " (revision " + new String(revision.value(), StandardCharsets.US_ASCII) + ")";
        return fanOut.submitOrFail(
                Records.where(record),
                batch,
                () -> LOG.info(
                        "cluster {} window {}{}: {} lines delivered", cluster, record.timestamp() / 1000, what, lines));
    }
}
