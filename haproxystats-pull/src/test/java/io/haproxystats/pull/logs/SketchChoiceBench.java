package io.haproxystats.pull.logs;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.IntCountsHistogram;

/**
 * The measurement behind the choice of sketch for {@code [logs]} (issue 29), DDSketch against
 * HdrHistogram, on HAProxy's timers (whole milliseconds): accuracy against the exact percentiles
 * of known delays, serialized bytes, heap bytes, merge and insert cost. Not a test (no assertion,
 * not run by the build): {@code bench/sketch-bench.sh}; the figures are in docs/benchmarks.md.
 */
public final class SketchChoiceBench {

    private static final double[] QUANTILES = {0.5, 0.9, 0.99, 0.999};

    /** One candidate: how to make an empty one, add a value, read a quantile, serialize, merge. */
    interface Candidate {
        String name();

        Object create();

        void add(Object sketch, long value);

        double quantile(Object sketch, double q);

        byte[] serialize(Object sketch) throws IOException;

        Object deserialize(byte[] bytes) throws IOException;

        void merge(Object into, Object other);
    }

    record Dd(String name, Supplier<DDSketch> factory) implements Candidate {
        public Object create() {
            return factory.get();
        }

        public void add(Object s, long v) {
            ((DDSketch) s).accept(v);
        }

        public double quantile(Object s, double q) {
            return ((DDSketch) s).getValueAtQuantile(q);
        }

        public byte[] serialize(Object s) throws IOException {
            GrowingByteArrayOutput out = GrowingByteArrayOutput.withDefaultInitialCapacity();
            ((DDSketch) s).encode(out, false);
            return out.trimmedCopy();
        }

        public Object deserialize(byte[] b) throws IOException {
            DDSketch s = factory.get();
            s.decodeAndMergeWith(ByteArrayInput.wrap(b));
            return s;
        }

        public void merge(Object into, Object other) {
            ((DDSketch) into).mergeWith((DDSketch) other);
        }
    }

    record Hdr(String name, Supplier<AbstractHistogram> factory, boolean compressed) implements Candidate {
        public Object create() {
            return factory.get();
        }

        public void add(Object s, long v) {
            ((AbstractHistogram) s).recordValue(v);
        }

        public double quantile(Object s, double q) {
            return ((AbstractHistogram) s).getValueAtPercentile(q * 100);
        }

        public byte[] serialize(Object s) {
            AbstractHistogram h = (AbstractHistogram) s;
            ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
            int n = compressed ? h.encodeIntoCompressedByteBuffer(buffer) : h.encodeIntoByteBuffer(buffer);
            return Arrays.copyOf(buffer.array(), n);
        }

        public Object deserialize(byte[] b) throws IOException {
            try {
                return compressed
                        ? Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(b), 0)
                        : Histogram.decodeFromByteBuffer(ByteBuffer.wrap(b), 0);
            } catch (java.util.zip.DataFormatException e) {
                throw new IOException(e);
            }
        }

        public void merge(Object into, Object other) {
            ((AbstractHistogram) into).add((AbstractHistogram) other);
        }
    }

    static List<Candidate> candidates() {
        return List.of(
                new Dd("DDSketch 1% unboundedDense (cubic mapping)", () -> DDSketches.unboundedDense(0.01)),
                new Dd("DDSketch 1% logarithmic, unbounded dense", () -> DDSketches.logarithmicUnboundedDense(0.01)),
                new Dd("DDSketch 1% sparse store", () -> DDSketches.sparse(0.01)),
                new Hdr("HdrHistogram 2 digits, long counts", () -> autoResize(new Histogram(2)), false),
                new Hdr("HdrHistogram 2 digits, int counts", () -> autoResize(new IntCountsHistogram(2)), false),
                new Hdr("HdrHistogram 2 digits, compressed", () -> autoResize(new Histogram(2)), true));
    }

    private static AbstractHistogram autoResize(AbstractHistogram h) {
        h.setAutoResize(true);
        return h;
    }

    /** The known delays: name and values in whole milliseconds. */
    static List<Object[]> datasets() {
        SplittableRandom random = new SplittableRandom(29);
        int n = 200_000;
        long[] schedule = new long[n];
        long[] lognormal = new long[n];
        long[] mostlyZero = new long[n];
        long[] wide = new long[n];
        long[] steps = {5, 20, 100, 400};
        for (int i = 0; i < n; i++) {
            schedule[i] = steps[i % 4] + random.nextInt(3); // the responder's sleep plus 0-2 ms of overhead
            lognormal[i] = (long) Math.floor(Math.exp(Math.log(30) + random.nextGaussian()));
            mostlyZero[i] = random.nextInt(100) < 97 ? 0 : 1 + random.nextInt(3);
            wide[i] = (long) Math.floor(Math.exp(random.nextDouble() * Math.log(3_600_000))); // 1 ms to 1 h
        }
        return List.of(
                new Object[] {"schedule 5/20/100/400 ms (+0-2)", schedule},
                new Object[] {"lognormal, median 30 ms", lognormal},
                new Object[] {"97% zero (Tw, Tc)", mostlyZero},
                new Object[] {"log-uniform 1 ms to 1 h", wide});
    }

    /**
     * No argument: the accuracy table. {@code cost N}: the costs of candidate N alone (each in its
     * own JVM, so one candidate's code does not share a call site with another's).
     */
    public static void main(String[] args) throws Exception {
        List<Candidate> candidates = candidates();
        if (args.length == 2 && args[0].equals("cost")) {
            cost(candidates.get(Integer.parseInt(args[1])), (long[]) datasets().get(1)[1]);
            return;
        }
        System.out.println("## accuracy: largest relative error of p50/p90/p99/p99.9 against the exact"
                + " values (rank floor(q*(n-1)) of the sorted delays), 200,000 values; serialized bytes");
        for (Object[] dataset : datasets()) {
            long[] values = (long[]) dataset[1];
            long[] sorted = values.clone();
            Arrays.sort(sorted);
            System.out.println("### " + dataset[0]);
            for (Candidate c : candidates) {
                Object s = c.create();
                for (long v : values) {
                    c.add(s, v);
                }
                double worst = 0;
                StringBuilder detail = new StringBuilder();
                for (double q : QUANTILES) {
                    long exact = sorted[(int) Math.floor(q * (sorted.length - 1))];
                    double got = c.quantile(s, q);
                    double error = exact == 0 ? Math.abs(got) : Math.abs(got - exact) / exact;
                    worst = Math.max(worst, error);
                    detail.append(String.format(Locale.ROOT, " p%s=%s/%.1f", q * 100, exact, got));
                }
                System.out.printf(
                        Locale.ROOT,
                        "%-48s worst %.4f  bytes %6d %s%n",
                        c.name(),
                        worst,
                        c.serialize(s).length,
                        detail);
            }
        }
    }

    private static void cost(Candidate c, long[] values) throws Exception {
        // Insert: ns per value, after a warm-up.
        Object s = c.create();
        for (int round = 0; round < 5; round++) {
            s = c.create();
            for (long v : values) {
                c.add(s, v);
            }
        }
        long t0 = System.nanoTime();
        int inserts = 0;
        for (int round = 0; round < 20; round++) {
            Object t = c.create();
            for (long v : values) {
                c.add(t, v);
            }
            inserts += values.length;
        }
        double insertNs = (System.nanoTime() - t0) / (double) inserts;
        // Heap: 10,000 sketches of 2,000 values each.
        int sketches = 10_000;
        List<Object> kept = new ArrayList<>(sketches);
        System.gc();
        long before = used();
        for (int i = 0; i < sketches; i++) {
            Object t = c.create();
            for (int j = 0; j < 2_000; j++) {
                c.add(t, values[(i * 2_000 + j) % values.length]);
            }
            kept.add(t);
        }
        System.gc();
        long heapPerSketch = (used() - before) / sketches;
        // Serialized size and merge costs over the same 10,000 sketches.
        byte[][] bytes = new byte[sketches][];
        long total = 0;
        for (int i = 0; i < sketches; i++) {
            bytes[i] = c.serialize(kept.get(i));
            total += bytes[i].length;
        }
        Object into = c.create();
        for (int i = 0; i < 1_000; i++) {
            c.merge(into, kept.get(i)); // warm-up
        }
        into = c.create();
        t0 = System.nanoTime();
        for (Object k : kept) {
            c.merge(into, k);
        }
        double mergeNs = (System.nanoTime() - t0) / (double) sketches;
        into = c.create();
        t0 = System.nanoTime();
        for (byte[] b : bytes) {
            c.merge(into, c.deserialize(b));
        }
        double decodeMergeNs = (System.nanoTime() - t0) / (double) sketches;
        System.out.printf(
                Locale.ROOT,
                "%-48s insert %5.1f ns/value  heap %6d B/sketch  serialized %5d B/sketch  merge %7.0f ns"
                        + "  decode+merge %7.0f ns%n",
                c.name(),
                insertNs,
                heapPerSketch,
                total / sketches,
                mergeNs,
                decodeMergeNs);
        kept.clear();
    }

    private static long used() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
