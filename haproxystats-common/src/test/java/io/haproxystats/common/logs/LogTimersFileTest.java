package io.haproxystats.common.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The log_timers file reads back as written, merges exactly, and refuses what it did not write. */
class LogTimersFileTest {

    private static LogTimers sample(long seed, int requests) {
        SplittableRandom random = new SplittableRandom(seed);
        LogTimers t = new LogTimers();
        t.addCounters(new LogTimers.Counters(requests + 3, requests, 2, 1, 7));
        for (int i = 0; i < requests; i++) {
            long value = (long) Math.exp(random.nextDouble() * 8);
            t.stats(LogTimers.Series.frontend("fe_main"), Timer.Ta).record(value);
            t.stats(LogTimers.Series.backend("be.app"), Timer.Ta).record(value);
            t.stats(LogTimers.Series.server("be.app", "web-" + (i % 3)), Timer.Ta)
                    .record(value);
            t.stats(LogTimers.Series.server("be.app", "web-" + (i % 3)), Timer.Tc)
                    .record(i % 10 == 0 ? -1 : 0);
        }
        return t;
    }

    @Test
    void readsBackAsWrittenAndFormatsTheSame() throws Exception {
        LogTimers written = sample(1, 5_000);
        String text = LogTimersFile.format(written);
        assertTrue(
                text.startsWith("haproxystats-log-timers 1\ncounters lines=5003 parsed=5000 unparsed=2 other=1"
                        + " dropped=7\nfrontend fe_main Ta 5000 0 "),
                text);
        assertTrue(text.contains("\nserver be.app web-0 Tc 1500 167 0 0 "), text);
        LogTimers read = LogTimersFile.parse(text);
        assertEquals(written.counters(), read.counters());
        assertEquals(text, LogTimersFile.format(read));
        TimerStats ta = read.series().get(LogTimers.Series.frontend("fe_main")).get(Timer.Ta);
        assertEquals(5_000, ta.count());
        assertEquals(
                written.series()
                        .get(LogTimers.Series.frontend("fe_main"))
                        .get(Timer.Ta)
                        .quantile(0.99),
                ta.quantile(0.99));
    }

    @Test
    void mergedFilesGiveThePercentilesOfTheUnionWithinTheRelativeError() throws Exception {
        // Two load balancers with different traffic: the merge is the union's distribution.
        LogTimers a = LogTimersFile.parse(LogTimersFile.format(sample(2, 9_000)));
        LogTimers b = LogTimersFile.parse(LogTimersFile.format(sample(3, 1_000)));
        a.merge(b);
        long[] union = new long[10_000];
        int n = 0;
        for (long seed : new long[] {2, 3}) {
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = 0; i < (seed == 2 ? 9_000 : 1_000); i++) {
                union[n++] = (long) Math.exp(random.nextDouble() * 8);
            }
        }
        Arrays.sort(union);
        TimerStats merged = a.series().get(LogTimers.Series.backend("be.app")).get(Timer.Ta);
        assertEquals(10_000, merged.count());
        assertEquals(union[9_999], merged.max());
        assertEquals(Arrays.stream(union).sum(), merged.sum());
        for (double q : new double[] {0.5, 0.9, 0.99, 0.999}) {
            long exact = union[(int) Math.floor(q * 9_999)];
            assertEquals(exact, merged.quantile(q), exact * TimerStats.RELATIVE_ACCURACY + 1e-9, "q " + q);
        }
        assertEquals(new LogTimers.Counters(10_006, 10_000, 4, 2, 14), a.counters());
    }

    @Test
    void refusesWhatItDidNotWriteNamingTheLine() {
        String good = LogTimersFile.format(sample(4, 10));
        String sketch = good.lines()
                .filter(l -> l.startsWith("frontend"))
                .findFirst()
                .orElseThrow()
                .split(" ")[7];
        String[][] cases = {
            {"haproxystats-log-timers 2\ncounters lines=0 parsed=0 unparsed=0 other=0 dropped=0\n", "line 1: expected"},
            {"haproxystats-log-timers 1\n", "line 2: expected the version line and the counters line"},
            {"haproxystats-log-timers 1\ncounters lines=-1 parsed=0 unparsed=0 other=0 dropped=0\n", "line 2: lines"},
            {good + "frontend fe\u00e9 Ta 1 0 1 1 " + sketch + "\n", "is not an HAProxy name"},
            {good + "frontend fe Tq 1 0 1 1 " + sketch + "\n", "'Tq' is not a timer"},
            {good + "frontend fe Ta 2 0 1 1 " + sketch + "\n", "COUNT says 2"},
            {good + "frontend fe Ta 1 0 1 1 !!!\n", "not base64"},
            {good + "frontend fe Ta 1 0 1 1 AAAA\n", "line 11: not a DDSketch encoding"},
            {good + "frontend fe Ta 0 0 0 0 x\n", "COUNT 0 needs"},
            {good + "frontend fe_main Ta 10 0 1 1 " + sketch + "\n", "a second line"},
            {good + "listen fe Ta 1 0 1 1 " + sketch + "\n", "expected 'frontend|backend NAME'"},
        };
        for (String[] c : cases) {
            LogTimersFile.MalformedException e =
                    assertThrows(LogTimersFile.MalformedException.class, () -> LogTimersFile.parse(c[0]), c[1]);
            assertTrue(e.getMessage().contains(c[1]), c[1] + " in " + e.getMessage());
        }
    }

    @Test
    void aCraftedSketchSpanningTooManyBinsIsRefusedBeforeItIsMadeDense() throws Exception {
        com.datadoghq.sketch.ddsketch.DDSketch wide = TimerStats.newSketch();
        wide.accept(1);
        wide.accept(1e300);
        com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput out =
                com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput.withDefaultInitialCapacity();
        wide.encode(out, false);
        String field = java.util.Base64.getEncoder().withoutPadding().encodeToString(out.trimmedCopy());
        String text = "haproxystats-log-timers 1\ncounters lines=2 parsed=2 unparsed=0 other=0 dropped=0\n"
                + "frontend fe Ta 2 0 1 1 " + field + "\n";
        LogTimersFile.MalformedException e =
                assertThrows(LogTimersFile.MalformedException.class, () -> LogTimersFile.parse(text));
        assertEquals("line 3: the sketch spans more than 20000 bins", e.getMessage());
    }

    @Test
    void timerStatsTravelAsBytesExactlyAndCraftedBytesAreRefused() {
        TimerStats s = sample(5, 1_000)
                .series()
                .get(LogTimers.Series.frontend("fe_main"))
                .get(Timer.Ta);
        TimerStats back = TimerStats.decode(s.encode());
        assertEquals(s.count(), back.count());
        assertEquals(s.sum(), back.sum());
        assertEquals(s.max(), back.max());
        assertEquals(s.quantile(0.99), back.quantile(0.99));
        byte[] bytes = s.encode();
        bytes[7]++; // the count no longer matches the sketch
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TimerStats.decode(bytes));
        assertTrue(e.getMessage().contains("the count says 1001"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TimerStats.decode(new byte[10]));
        byte[] negative = s.encode();
        negative[0] = (byte) 0x80;
        assertThrows(IllegalArgumentException.class, () -> TimerStats.decode(negative));
    }

    @Test
    void aWriterRefusesANameHaproxyWouldNot() {
        LogTimers t = new LogTimers();
        t.stats(LogTimers.Series.frontend("a b"), Timer.Ta).record(1);
        assertThrows(IllegalArgumentException.class, () -> LogTimersFile.format(t));
    }
}
