package io.haproxystats.process.bench;

import io.haproxystats.process.compute.PollComputation;
import io.haproxystats.process.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The processor's computation alone (read, parse, group, format; no watcher, no sending), ITERATIONS
 * times on one poll directory, printing each time and the process's CPU time (the two differ by
 * the parsing's parallelism): what bench/compute-profile.sh profiles with JFR.
 *
 * <pre>ComputeLoop POLL_DIR [ITERATIONS 15]</pre>
 */
public final class ComputeLoop {

    public static void main(String[] args) throws Exception {
        Path poll = Path.of(args[0]);
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        Path work = Files.createTempDirectory("compute-loop");
        PollComputation computation = Fixtures.computation(work, "[graphite]\nnamespace = lb\n", "h");
        for (int i = 1; i <= iterations; i++) {
            long cpu0 = processCpuNanos();
            long t0 = System.nanoTime();
            PollComputation.Result r =
                    computation.compute(poll.getFileName().toString(), Fixtures.files(poll), Set.of(), Set.of());
            long cpu1 = processCpuNanos();
            System.out.printf(
                    "iteration %d: %d lines in %.0f ms, process CPU %.0f ms%n",
                    i, r.batch().lines(), (System.nanoTime() - t0) / 1e6, (cpu1 - cpu0) / 1e6);
        }
        Files.delete(work.resolve("test.conf"));
        Files.delete(work);
    }

    /** This JVM's CPU time, every thread's: more than the wall time when the parsing runs in parallel. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
