package io.haproxystats.process.cluster;

import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.compute.MetricPaths;
import io.haproxystats.process.delivery.FanOut;
import io.haproxystats.process.kafka.ClusterValues;
import io.haproxystats.process.kafka.KafkaPollSource;
import io.haproxystats.process.kafka.Records;
import io.haproxystats.process.spool.Quarantine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record of the cluster lines topic (a closed window's lines, or a part of them) handed to every
 * dispatcher, as a poll's lines are: the consumer commits it once each delivered (or dropped it
 * under its overflow rule), so a replay after a crash sends identical lines again.
 *
 * <p>The record is input: it is checked first ({@link ClusterLinesCheck}). A record whose key is
 * not a cluster's name is refused whole; a line that is not {@code <path> <finite number>
 * <timestamp>} with its path under {@code <namespace>.cluster.<key>.} is left out, and the valid
 * lines go on. Either way the record is counted, logged once with where it is ({@code
 * topic-partition@offset}) and kept in quarantine-dir with the reason; the partition never stops on
 * it.
 */
public final class ClusterLinesHandler implements KafkaPollSource.RecordHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterLinesHandler.class);

    private final FanOut fanOut;
    private final String namespace;
    private final Quarantine quarantine;
    private final AtomicLong refusedRecords = new AtomicLong();

    /** @param namespace {@code [graphite] namespace}: the lines are {@code <namespace>.cluster.<cluster>.<path>} */
    public ClusterLinesHandler(FanOut fanOut, String namespace, Quarantine quarantine) {
        this.fanOut = fanOut;
        this.namespace = namespace;
        this.quarantine = quarantine;
    }

    /** Records refused whole or in part since the start. */
    public long refusedRecords() {
        return refusedRecords.get();
    }

    @Override
    public CompletableFuture<Void> handle(ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
        if (record.value() == null || record.value().length == 0) {
            return CompletableFuture.completedFuture(null);
        }
        String cluster;
        try {
            cluster = ClusterValues.checkCluster(Records.utf8(record.key()).orElse(null));
        } catch (IllegalArgumentException e) {
            refuse(record, "refused whole: " + e.getMessage(), List.of());
            return CompletableFuture.completedFuture(null);
        }
        ClusterLinesCheck.Result checked = ClusterLinesCheck.check(namespace, cluster, record.value());
        if (!checked.refused().isEmpty()) {
            refuse(
                    record,
                    checked.refused().size() + " line(s) left out, " + checked.validLines() + " sent",
                    checked.refused());
        }
        if (checked.validLines() == 0) {
            return CompletableFuture.completedFuture(null);
        }
        // The name local-store gives the window's directory, and messages the batch.
        MetricBatch batch =
                new MetricBatch("cluster-" + MetricPaths.sanitise(cluster) + "-" + record.timestamp() / 1000);
        batch.addLines(checked.valid());
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

    /** Counts the record, says so once (with the first reasons), and keeps it in quarantine with them all. */
    private void refuse(ConsumerRecord<byte[], byte[]> record, String what, List<String> lines) {
        long n = refusedRecords.incrementAndGet();
        String where = Records.where(record);
        LOG.error(
                "{}: not the cluster aggregation's lines, {} ({} refused since the start){}; kept in quarantine,"
                        + " the partition goes on",
                where,
                what,
                n,
                lines.isEmpty() ? "" : ": " + String.join("; ", lines.subList(0, Math.min(3, lines.size()))));
        SortedMap<String, byte[]> kept = new TreeMap<>();
        kept.put("record.value", record.value());
        kept.put(
                "REASON",
                ("record " + where + ", key "
                                + Records.printable(Records.keyText(record), 200) + "\n" + what + "\n"
                                + String.join("\n", lines) + (lines.isEmpty() ? "" : "\n"))
                        .getBytes(StandardCharsets.UTF_8));
        String name = Math.max(0, record.timestamp() / 1000) + ".kafka-" + record.topic() + "-" + record.partition()
                + "-" + record.offset();
        try {
            LOG.error("{}: kept for inspection in {}", where, quarantine.keepFiles(name, kept));
        } catch (IOException e) {
            LOG.error("{}: cannot keep it in quarantine {}: {}", where, quarantine.dir(), e.toString());
        }
    }
}
