package io.haproxystats.process.kafka;

import io.haproxystats.common.logs.TimerStats;
import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.compute.PollComputation;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One poll's values of one load balancer, as the central processor publishes them to the cluster
 * values topic for the aggregation: the paths relative to the load balancer's prefix (
 * {@code frontend.www.bin}, {@code backend.app.server.web1.qcur}, {@code daemon.CurrConns}) with
 * their values, the processor's own {@code haproxystats.*} metrics left out; and the request
 * timers' stats ({@code [logs]}), by their path without the last component, as
 * {@link TimerStats#encode()} bytes. Encoded as a version byte (2), the name, the poll's epoch
 * seconds, the count, then path and value (a double) each, then the timer count and, each, path,
 * length and bytes (version 1 ends after the values).
 */
public record ClusterValues(
        String loadBalancer, long epochSeconds, List<String> paths, double[] values, SortedMap<String, byte[]> timers) {

    /** 2 adds the request-timer stats; version 1 records (no timers) are still read. */
    static final int VERSION = 2;

    public ClusterValues {
        if (paths.size() != values.length) {
            throw new IllegalArgumentException(paths.size() + " paths, " + values.length + " values");
        }
        timers = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(timers));
    }

    /** Values without request timers. */
    public ClusterValues(String loadBalancer, long epochSeconds, List<String> paths, double[] values) {
        this(loadBalancer, epochSeconds, paths, values, new TreeMap<>());
    }

    /**
     * The values of a computed poll: every line of {@code batch} under {@code prefix + "."}, except
     * the self metrics; a value that does not read as a number is left out.
     */
    public static ClusterValues of(String loadBalancer, long epochSeconds, MetricBatch batch, String prefix) {
        return of(loadBalancer, epochSeconds, batch, prefix, new TreeMap<>());
    }

    /**
     * With the poll's request-timer stats ({@link PollComputation.Result#timers()}): they travel as
     * encoded sketches, and their percentile, max, count and aborted lines are left out of the
     * values (a window merges the sketches; a sum or mean of percentiles would be wrong).
     */
    public static ClusterValues of(
            String loadBalancer,
            long epochSeconds,
            MetricBatch batch,
            String prefix,
            SortedMap<String, TimerStats> timers) {
        String start = prefix + ".";
        String self = start + "haproxystats.";
        List<String> paths = new ArrayList<>(batch.lines());
        double[] values = new double[batch.lines()];
        int[] n = {0};
        batch.forEachLine((pathBytes, line) -> {
            String path = new String(pathBytes, StandardCharsets.UTF_8);
            if (!path.startsWith(start) || path.startsWith(self)) {
                return;
            }
            int last = path.lastIndexOf('.');
            if (!timers.isEmpty()
                    && last > start.length()
                    && timers.containsKey(path.substring(start.length(), last))) {
                return; // a timer's line: its sketch travels instead
            }
            int from = pathBytes.length + 1;
            int to = from;
            while (to < line.length && line[to] != ' ') {
                to++;
            }
            try {
                values[n[0]] = Double.parseDouble(new String(line, from, to - from, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                return;
            }
            paths.add(path.substring(start.length()));
            n[0]++;
        });
        SortedMap<String, byte[]> encoded = new TreeMap<>();
        timers.forEach((tail, stats) -> encoded.put(tail, stats.encode()));
        return new ClusterValues(loadBalancer, epochSeconds, paths, java.util.Arrays.copyOf(values, n[0]), encoded);
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 + paths.size() * 48);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeUTF(loadBalancer);
            out.writeLong(epochSeconds);
            out.writeInt(paths.size());
            for (int i = 0; i < paths.size(); i++) {
                out.writeUTF(paths.get(i));
                out.writeDouble(values[i]);
            }
            out.writeInt(timers.size());
            for (Map.Entry<String, byte[]> t : timers.entrySet()) {
                out.writeUTF(t.getKey());
                out.writeInt(t.getValue().length);
                out.write(t.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /** The record's values; an {@link IllegalArgumentException} names what is wrong with other bytes. */
    public static ClusterValues decode(byte[] value) {
        if (value == null || value.length == 0) {
            throw new IllegalArgumentException("empty value");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            int version = in.readUnsignedByte();
            if (version != 1 && version != VERSION) {
                throw new IllegalArgumentException(
                        "format version " + version + ", this processor reads 1 and " + VERSION);
            }
            String lb = in.readUTF();
            long epoch = in.readLong();
            int count = in.readInt();
            if (count < 0 || count > value.length / 10) {
                throw new IllegalArgumentException("announces " + count + " values in " + value.length + " bytes");
            }
            List<String> paths = new ArrayList<>(count);
            double[] values = new double[count];
            for (int i = 0; i < count; i++) {
                paths.add(in.readUTF());
                values[i] = in.readDouble();
            }
            SortedMap<String, byte[]> timers = new TreeMap<>();
            if (version >= 2) {
                int n = in.readInt();
                if (n < 0 || n > value.length / 36) {
                    throw new IllegalArgumentException("announces " + n + " timers in " + value.length + " bytes");
                }
                for (int i = 0; i < n; i++) {
                    String tail = in.readUTF();
                    int length = in.readInt();
                    if (length < 32 || length > in.available()) {
                        throw new IllegalArgumentException("timer " + tail + ": " + length + " bytes announced");
                    }
                    byte[] stats = new byte[length];
                    in.readFully(stats);
                    timers.put(tail, stats);
                }
            }
            if (in.available() > 0) {
                throw new IllegalArgumentException(in.available() + " bytes after the last value");
            }
            return new ClusterValues(lb, epoch, List.copyOf(paths), values, timers);
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated: " + e, e);
        }
    }
}
