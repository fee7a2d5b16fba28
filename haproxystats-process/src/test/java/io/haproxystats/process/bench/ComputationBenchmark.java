package io.haproxystats.process.bench;

import io.haproxystats.process.compute.ParseException;
import io.haproxystats.process.compute.PollComputation;
import io.haproxystats.process.compute.StatParser;
import io.haproxystats.process.compute.StatTable;
import io.haproxystats.process.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmarks of the processor's pure core on the large-poll workload of docs/benchmarks.md, built in memory by the
 * project's generator (LargePollGenerator from the real captures): parsing one {@code _stat}
 * answer, and the whole computation of a poll (parse, group, name and format every line; no I/O).
 * Sending is measured against a real socket by GraphiteSendBench instead: writing the formatted
 * chunks to a discarding stream measured nothing. Run by bench/jmh.sh (figures in docs/benchmarks.md); JmhSmokeTest
 * runs every benchmark once on a tiny poll in the test command so they cannot rot.
 *
 * <p>Run with the launcher's heap options ({@code -XX:+UseSerialGC -Xmx144m}, set in {@link Fork}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-XX:+UseSerialGC", "-Xms32m", "-Xmx144m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ComputationBenchmark {

    /** Files per poll: FILES _info plus FILES _stat. */
    @Param({"32"})
    public int files;

    @Param({"250"})
    public int backends;

    @Param({"20"})
    public int servers;

    private Path work;
    private Map<String, String> poll;
    private String oneStat;
    private PollComputation computation;

    @Setup
    public void setUp() throws IOException {
        work = Files.createTempDirectory("jmh-poll");
        Path dir = LargePollGenerator.generate(
                Fixtures.small().resolve("1795224218"), work, "1700000000", files, backends, servers, 1);
        poll = Fixtures.files(dir);
        oneStat = poll.entrySet().stream()
                .filter(e -> e.getKey().endsWith("_stat"))
                .findFirst()
                .orElseThrow()
                .getValue();
        computation = Fixtures.computation(work, "[graphite]\nnamespace = lb\n", "h");
    }

    @TearDown
    public void tearDown() throws IOException {
        try (var s = Files.walk(work)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** One {@code _stat} answer (5,500 rows x 128 columns at the defaults) into a table. */
    @Benchmark
    public StatTable parseOneStatFile() throws ParseException {
        return StatParser.parse(
                "a_stat",
                "a",
                oneStat,
                Set.of("scur", "stot", "bin", "bout", "lbtot", "type", "qcur", "rtime", "weight", "act", "bck"));
    }

    /** A whole poll, in memory: parse every file, group, name and format every line. */
    @Benchmark
    public int computePoll() {
        return computation
                .compute("1700000000", poll, Set.of(), Set.of())
                .batch()
                .lines();
    }
}
