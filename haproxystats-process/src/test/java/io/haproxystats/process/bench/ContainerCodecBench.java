package io.haproxystats.process.bench;

import io.haproxystats.process.kafka.PollContainer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The polls topic's container at each zstd level (bench/container-codec-bench.sh): for one poll
 * directory, the thread CPU an edge spends encoding it (files read from disk and compressed as
 * they stream), the bytes it takes, and the CPU a central processor spends decompressing it, each
 * the median of ITERATIONS after as many warm-up rounds. Prints figures; asserts nothing.
 *
 * <p>Arguments: POLL_DIR [ITERATIONS 10] [LEVELS 1,-1,-3,-5,-7].
 */
public final class ContainerCodecBench {

    public static void main(String[] args) throws Exception {
        Path poll = Path.of(args[0]);
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int[] levels = Arrays.stream((args.length > 2 ? args[2] : "1,-1,-3,-5,-7").split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        SortedMap<String, PollContainer.Content> files = new TreeMap<>();
        long bytes = 0;
        try (Stream<Path> list = Files.list(poll)) {
            for (Path f : list.sorted().toList()) {
                int length = (int) Files.size(f);
                bytes += length;
                files.put(f.getFileName().toString(), new PollContainer.Content() {
                    @Override
                    public int length() {
                        return length;
                    }

                    @Override
                    public java.io.InputStream open() throws java.io.IOException {
                        return Files.newInputStream(f);
                    }
                });
            }
        }
        System.out.printf(Locale.ROOT, "container codec: %s, %d files, %d bytes%n", poll, files.size(), bytes);
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        for (int level : levels) {
            long[] encode = new long[iterations];
            long[] decode = new long[iterations];
            PollContainer.Compressed c = null;
            for (int round = -iterations; round < iterations; round++) {
                long t0 = cpu.getCurrentThreadCpuTime();
                c = PollContainer.encodeCompressed(files, level);
                long t1 = cpu.getCurrentThreadCpuTime();
                int n = PollContainer.decodeCompressed(c.value(), c.size(), Integer.MAX_VALUE)
                        .size();
                long t2 = cpu.getCurrentThreadCpuTime();
                if (n != files.size()) {
                    throw new IllegalStateException(n + " files decoded, " + files.size() + " encoded");
                }
                if (round >= 0) {
                    encode[round] = t1 - t0;
                    decode[round] = t2 - t1;
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "zstd level %d: encode %.1f ms CPU (%.0f MB/s), %d bytes (%.1fx smaller); decode %.1f ms CPU%n",
                    level,
                    median(encode) / 1e6,
                    bytes / (median(encode) / 1e9) / 1e6,
                    c.value().length,
                    bytes / (double) c.value().length,
                    median(decode) / 1e6);
        }
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
