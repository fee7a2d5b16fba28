package io.haproxystats.pull.logs;

import io.haproxystats.common.logs.LogTimers;
import io.haproxystats.common.logs.LogTimersFile;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Parsing and sketching speed of the {@code [logs]} receiver on one thread (what one receiving
 * thread does per datagram, without the socket), and its memory: {@code bench/logs-bench.sh}.
 * Not a test: figures in docs/benchmarks.md.
 *
 * <p>Arguments: {@code SERVERS} (default 1,000: backends of 20 servers behind 5 frontends) and
 * {@code LINES} per round (default 2,000,000): lines per second over 5 measured rounds after 3
 * warm-up rounds, cycling over 100,000 distinct lines. With a third argument {@code memory}
 * instead: one interval in which every server answers 200 requests (all five HTTP timers, a new
 * random line each), the heap it holds (used heap after GC, before and after) and the bytes of
 * its {@code log_timers} file per sketch.
 */
public final class LogsThroughputBench {

    private static final int PER_BACKEND = 20;

    public static void main(String[] args) {
        int servers = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int lines = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
        int backends = Math.max(1, servers / PER_BACKEND);
        SplittableRandom random = new SplittableRandom(29);
        if (args.length > 2 && args[2].equals("memory")) {
            memory(backends, random);
            return;
        }
        byte[][] datagrams = new byte[100_000][];
        for (int i = 0; i < datagrams.length; i++) {
            datagrams[i] = line(random, backends).getBytes(StandardCharsets.US_ASCII);
        }
        System.out.printf(
                Locale.ROOT,
                "%d backends x %d servers behind 5 frontends, httplog lines of %d bytes on average%n",
                backends,
                PER_BACKEND,
                Arrays.stream(datagrams).mapToInt(b -> b.length).sum() / datagrams.length);
        LogLineParser parser = new LogLineParser();
        for (int round = 0; round < 8; round++) {
            LogAccumulator interval = new LogAccumulator(10_000_000);
            long t0 = System.nanoTime();
            for (int i = 0; i < lines; i++) {
                byte[] b = datagrams[i % datagrams.length];
                interval.add(parser.parse(b, b.length), parser);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            LogTimers t = interval.toLogTimers(0);
            if (t.counters().parsed() != lines) {
                throw new IllegalStateException("parsed " + t.counters());
            }
            System.out.printf(
                    Locale.ROOT,
                    "%s round %d: %,d lines in %.3f s = %,.0f lines/s%n",
                    round < 3 ? "warm-up" : "measured",
                    round,
                    lines,
                    seconds,
                    lines / seconds);
        }
    }

    /** One random httplog line of one of the servers; Tr lognormal around 30 ms. */
    private static String line(SplittableRandom random, int backends) {
        int be = random.nextInt(backends);
        long tr = (long) Math.floor(Math.exp(Math.log(30) + random.nextGaussian()));
        return ("<134>Dec  2 15:33:12 haproxy[733]: 10.1.%d.%d:%d [02/Dec/2026:15:33:12.945] fe_%d~ be_app_%d/web-%d"
                        + " %d/0/%d/%d/%d 200 %d - - ---- 120/120/3/1/0 0/0 \"GET /api/v1/items/%d HTTP/1.1\"")
                .formatted(
                        random.nextInt(256),
                        random.nextInt(256),
                        1024 + random.nextInt(60000),
                        be % 5,
                        be,
                        random.nextInt(PER_BACKEND),
                        random.nextInt(3),
                        random.nextInt(2),
                        tr,
                        tr + random.nextInt(5),
                        200 + random.nextInt(20_000),
                        random.nextInt(1_000_000));
    }

    private static void memory(int backends, SplittableRandom random) {
        LogLineParser parser = new LogLineParser();
        int servers = backends * PER_BACKEND;
        System.gc();
        long before = used();
        LogAccumulator interval = new LogAccumulator(10_000_000);
        for (int i = 0; i < servers * 200; i++) {
            byte[] b = line(random, backends).getBytes(StandardCharsets.US_ASCII);
            interval.add(parser.parse(b, b.length), parser);
        }
        System.gc();
        long heap = used() - before;
        int series = interval.series();
        LogTimers t = interval.toLogTimers(0);
        int sketches = t.series().values().stream().mapToInt(m -> m.size()).sum();
        long[] file = {0};
        try {
            // Written as the receiver writes it, a line at a time (here only counted).
            LogTimersFile.write(t, new Appendable() {
                public Appendable append(CharSequence csq) {
                    file[0] += csq.length();
                    return this;
                }

                public Appendable append(CharSequence csq, int start, int end) {
                    file[0] += end - start;
                    return this;
                }

                public Appendable append(char c) {
                    file[0]++;
                    return this;
                }
            });
        } catch (java.io.IOException impossible) {
            throw new IllegalStateException(impossible);
        }
        System.out.printf(
                Locale.ROOT,
                "one interval, %d servers busy (%d requests each on average): %d series, %d sketches; heap %,d bytes"
                        + " (%,d per sketch); log_timers %,d bytes (%,d per sketch line)%n",
                servers,
                200,
                series,
                sketches,
                heap,
                heap / sketches,
                file[0],
                file[0] / sketches);
    }

    private static long used() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
