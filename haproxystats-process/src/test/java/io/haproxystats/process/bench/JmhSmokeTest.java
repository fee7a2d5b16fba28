package io.haproxystats.process.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The smoke mode of the JMH suite (bench/jmh.sh): every benchmark of ComputationBenchmark once,
 * in this JVM, on a tiny poll (1 file, 5 proxies x 2 servers), so the benchmarks compile, run and
 * produce results in every test run. Its figures mean nothing and are not looked at.
 */
class JmhSmokeTest {

    @Test
    void everyBenchmarkRunsOnceOnATinyPoll() throws Exception {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                        .include(ComputationBenchmark.class.getName() + "\\.")
                        .forks(0)
                        .warmupIterations(0)
                        .measurementIterations(1)
                        .measurementTime(TimeValue.milliseconds(100))
                        .param("files", "1")
                        .param("backends", "5")
                        .param("servers", "2")
                        .shouldFailOnError(true)
                        .build())
                .run();
        assertEquals(2, results.size(), "parseOneStatFile, computePoll");
        for (RunResult r : results) {
            assertTrue(r.getPrimaryResult().getScore() > 0, r.getParams().getBenchmark());
        }
    }
}
