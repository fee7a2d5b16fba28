package io.haproxystats.process.kafka;

import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.compute.MetricPaths;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One poll's values of one load balancer, as the central processor publishes them to the cluster
 * values topic for the aggregation: the paths relative to the load balancer's prefix (
 * {@code frontend.www.bin}, {@code backend.app.server.web1.qcur}, {@code daemon.CurrConns}) with
 * their values, the processor's own {@code haproxystats.*} metrics left out. Encoded as a version
 * byte, the name, the poll's epoch seconds, the count, then path and value (a double) each.
 *
 * <p>The topic is input like any other: a record read back is checked ({@link #decode},
 * {@link #checkCluster}) before any of it can reach a line, so that a producer allowed on the
 * topic by mistake cannot write under another load balancer's path, split a line, or send a value
 * carbon cannot store.
 */
public record ClusterValues(String loadBalancer, long epochSeconds, List<String> paths, double[] values) {

    static final int VERSION = 1;
    /** The longest path (or load balancer name) read back: far beyond any real one, short of a line that hurts. */
    public static final int MAX_PATH = 4096;

    public ClusterValues {
        if (paths.size() != values.length) {
            throw new IllegalArgumentException(paths.size() + " paths, " + values.length + " values");
        }
    }

    /**
     * The values of a computed poll: every line of {@code batch} under {@code prefix + "."}, except
     * the self metrics; a value that does not read as a number is left out.
     */
    public static ClusterValues of(String loadBalancer, long epochSeconds, MetricBatch batch, String prefix) {
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
        return new ClusterValues(loadBalancer, epochSeconds, paths, java.util.Arrays.copyOf(values, n[0]));
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
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /**
     * The record's values, checked: the load balancer's name non-empty, without control characters,
     * at most {@link #MAX_PATH} characters; the epoch positive; every path non-empty, at most
     * {@link #MAX_PATH} characters, of non-empty components each as {@link MetricPaths#sanitise}
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
            if (version != VERSION) {
                throw new IllegalArgumentException("format version " + version + ", this processor reads " + VERSION);
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
            if (in.available() > 0) {
                throw new IllegalArgumentException(in.available() + " bytes after the last value");
            }
            return new ClusterValues(lb, epoch, List.copyOf(paths), values);
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
