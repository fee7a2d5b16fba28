package io.haproxystats.process.kafka;

import io.haproxystats.common.logs.TimerStats;
import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.compute.MetricPaths;
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
 *
 * <p>The topic is input like any other: a record read back is checked ({@link #decode},
 * {@link #checkCluster}) before any of it can reach a line, so that a producer allowed on the
 * topic by mistake cannot write under another load balancer's path, split a line, or send a value
 * carbon cannot store.
 */
public record ClusterValues(
        String loadBalancer, long epochSeconds, List<String> paths, double[] values, SortedMap<String, byte[]> timers) {

    /** 2 adds the request-timer stats; version 1 records (no timers) are still read. */
    static final int VERSION = 2;
    /** The longest path (or load balancer name) read back: far beyond any real one, short of a line that hurts. */
    public static final int MAX_PATH = 4096;

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

    /**
     * The record's values, checked: the load balancer's name non-empty, without control characters,
     * at most {@link #MAX_PATH} characters; the epoch positive; every path (and timer path) non-empty,
     * at most {@link #MAX_PATH} characters, of non-empty components each as {@link MetricPaths#sanitise}
     * leaves it (no space, newline, control character, {@code /} or {@code ;}); every value finite
     * (no NaN or infinity, which carbon does not store and no sum survives). An {@link
     * IllegalArgumentException} names what is wrong (the offending text quoted printable) with
     * any other bytes.
     */
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
            if (lb.isEmpty() || lb.length() > MAX_PATH || lb.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("the load balancer's name '" + Records.printable(lb, 80)
                        + "' is empty, longer than " + MAX_PATH + " characters or holds a control character");
            }
            long epoch = in.readLong();
            if (epoch <= 0) {
                throw new IllegalArgumentException("the poll's epoch is " + epoch + ", expected positive seconds");
            }
            int count = in.readInt();
            if (count < 0 || count > value.length / 10) {
                throw new IllegalArgumentException("announces " + count + " values in " + value.length + " bytes");
            }
            List<String> paths = new ArrayList<>(count);
            double[] values = new double[count];
            for (int i = 0; i < count; i++) {
                String path = in.readUTF();
                double v = in.readDouble();
                String bad = pathProblem(path);
                if (bad != null) {
                    throw new IllegalArgumentException(
                            "value " + i + ": the path '" + Records.printable(path, 120) + "' " + bad);
                }
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException(
                            "value " + i + " (" + path + ") is " + v + ", expected a finite number");
                }
                paths.add(path);
                values[i] = v;
            }
            SortedMap<String, byte[]> timers = new TreeMap<>();
            if (version >= 2) {
                int n = in.readInt();
                if (n < 0 || n > value.length / 36) {
                    throw new IllegalArgumentException("announces " + n + " timers in " + value.length + " bytes");
                }
                for (int i = 0; i < n; i++) {
                    String tail = in.readUTF();
                    String bad = pathProblem(tail);
                    if (bad != null) {
                        throw new IllegalArgumentException(
                                "timer " + i + ": the path '" + Records.printable(tail, 120) + "' " + bad);
                    }
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

    /**
     * Checks a record's key, the cluster's name: one path component as {@link MetricPaths#sanitise}
     * leaves it (the central processors publish it so), at most {@link #MAX_PATH} characters.
     *
     * @return the name
     * @throws IllegalArgumentException naming what is wrong
     */
    public static String checkCluster(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("the key is missing, expected a cluster's name");
        }
        if (key.length() > MAX_PATH || !key.equals(MetricPaths.sanitise(key))) {
            throw new IllegalArgumentException("the key '" + Records.printable(key, 80)
                    + "' is not a cluster's name (one path component: no '.', '/', ';', space or control"
                    + " character, at most " + MAX_PATH + " characters)");
        }
        return key;
    }

    /**
     * What is wrong with a path relative to a load balancer's prefix (or a whole line's path), or
     * null: empty, too long, an empty component, or a component {@link MetricPaths#sanitise} would
     * change.
     */
    public static String pathProblem(String path) {
        if (path.isEmpty()) {
            return "is empty";
        }
        if (path.length() > MAX_PATH) {
            return "is longer than " + MAX_PATH + " characters";
        }
        int from = 0;
        while (true) {
            int dot = path.indexOf('.', from);
            String component = dot < 0 ? path.substring(from) : path.substring(from, dot);
            if (component.isEmpty()) {
                return "has an empty component";
            }
            if (!component.equals(MetricPaths.sanitise(component))) {
                return "has a component with a space, a control character, '/' or ';'";
            }
            if (dot < 0) {
                return null;
            }
            from = dot + 1;
        }
    }
}
