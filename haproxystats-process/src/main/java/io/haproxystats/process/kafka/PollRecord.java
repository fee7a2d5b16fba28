package io.haproxystats.process.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A record of the polls topic, the one owner of its format: written by an edge, read and checked
 * by a central processor. Key: the load balancer's name (UTF-8). Value: the poll's files, a
 * {@link PollContainer} compressed as one zstd frame. Headers: {@value #FORMAT_HEADER} (the
 * container's version), {@value #POLL_HEADER} (the poll's name, its epoch seconds: the time of its
 * lines), {@value #SIZE_HEADER} (the container's bytes before compression) and, when the edge
 * names one, {@value #CLUSTER_HEADER} (the load balancer's cluster). Timestamp: the edge's clock
 * when it produced the record, which the brokers take (they refuse a time more than
 * {@code log.message.timestamp.after.max.ms} ahead of theirs, and a poll may be dated ahead); it
 * is never read as the poll's time. Edges before this rule stamped the poll's time: both read
 * alike, since the poll's time is always taken from {@value #POLL_HEADER}.
 *
 * @param lb      the load balancer's name
 * @param poll    the poll's name: its epoch seconds
 * @param size    the container's bytes before compression
 * @param cluster the load balancer's cluster, when its edge says; present but empty when the edge's
 *                header is blank or not UTF-8 (no cluster, whatever {@code [clusters]} says)
 */
public record PollRecord(String lb, String poll, long size, Optional<String> cluster) {

    public static final String FORMAT_HEADER = "haproxystats-format";
    public static final String POLL_HEADER = "haproxystats-poll";
    public static final String CLUSTER_HEADER = "haproxystats-cluster";
    public static final String SIZE_HEADER = "haproxystats-size";

    private static final Pattern POLL_NAME = Pattern.compile("\\d{1,12}");
    private static final Pattern SIZE = Pattern.compile("\\d{1,10}");

    /** A record that is not a poll this processor can compute, with the reason. */
    public static final class RefusedException extends Exception {
        RefusedException(String reason) {
            super(reason);
        }
    }

    /** The record to produce, at {@code timestamp} (epoch milliseconds: the producer's clock now, not the poll's time). */
    public ProducerRecord<byte[], byte[]> toProducerRecord(String topic, long timestamp, byte[] value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(FORMAT_HEADER, Integer.toString(PollContainer.VERSION).getBytes(StandardCharsets.US_ASCII));
        headers.add(POLL_HEADER, poll.getBytes(StandardCharsets.UTF_8));
        headers.add(SIZE_HEADER, Long.toString(size).getBytes(StandardCharsets.US_ASCII));
        cluster.ifPresent(c -> headers.add(CLUSTER_HEADER, c.getBytes(StandardCharsets.UTF_8)));
        return new ProducerRecord<>(topic, null, timestamp, lb.getBytes(StandardCharsets.UTF_8), value, headers);
    }

    /**
     * The checked reading of a consumed record's key and headers (the value is decoded by the
     * caller, in its memory bounds).
     *
     * @throws RefusedException the record is not a poll of this format: the reason names the header
     */
    public static PollRecord read(ConsumerRecord<byte[], byte[]> record) throws RefusedException {
        String version = header(record, FORMAT_HEADER).orElse(null);
        if (!Integer.toString(PollContainer.VERSION).equals(version)) {
            throw new RefusedException("header " + FORMAT_HEADER + " is "
                    + (version == null ? "missing" : "'" + version + "'") + ", this processor reads "
                    + PollContainer.VERSION);
        }
        Optional<String> lb = Records.utf8(record.key());
        if (lb.isEmpty() || lb.get().isBlank()) {
            throw new RefusedException("the key (the load balancer's name) is missing or not UTF-8");
        }
        String poll = pollName(record);
        if (!POLL_NAME.matcher(poll).matches()) {
            throw new RefusedException(
                    "header " + POLL_HEADER + " is '" + poll + "', expected the poll's epoch seconds");
        }
        String size = header(record, SIZE_HEADER).orElse("");
        if (!SIZE.matcher(size).matches()) {
            throw new RefusedException(
                    "header " + SIZE_HEADER + " is '" + size + "', expected the container's bytes before compression");
        }
        Header h = record.headers().lastHeader(CLUSTER_HEADER);
        Optional<String> cluster = h == null || h.value() == null
                ? Optional.empty()
                : Optional.of(Records.utf8(h.value()).filter(c -> !c.isBlank()).orElse(""));
        return new PollRecord(lb.get(), poll, Long.parseLong(size), cluster);
    }

    /** The poll's name from its header, or empty (a record of another topic, a malformed one). */
    public static String pollName(ConsumerRecord<?, ?> record) {
        return header(record, POLL_HEADER).orElse("");
    }

    private static Optional<String> header(ConsumerRecord<?, ?> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null || h.value() == null ? Optional.empty() : Records.utf8(h.value());
    }
}
