package io.haproxystats.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.haproxystats.common.time.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The schedule on a driven clock: fixed phase, no catch-up bursts after an overrun. */
class PullerScheduleTest {

    /** Runs polls taking the given durations (seconds) and returns their start times relative to the first. */
    private static List<Long> starts(long intervalSeconds, long... durations) {
        ManualClock ticker =
                new ManualClock(Instant.ofEpochSecond(7)); // an arbitrary origin: the phase is the first poll's
        long origin = ticker.nanoTime();
        List<Long> starts = new ArrayList<>();
        Puller[] puller = new Puller[1];
        puller[0] = new Puller(
                () -> {
                    starts.add((ticker.nanoTime() - origin) / 1_000_000_000L);
                    ticker.advance(Duration.ofSeconds(durations[starts.size() - 1]));
                    if (starts.size() == durations.length) {
                        puller[0].stop();
                    }
                },
                Duration.ofSeconds(intervalSeconds),
                ticker);
        puller[0].run();
        Thread.interrupted(); // stop() interrupts the thread that ran the schedule: this one
        return starts;
    }

    @Test
    void pollsStartOnTheFirstPollsPhase() {
        assertEquals(List.of(0L, 10L, 20L, 30L), starts(10, 1, 3, 9, 1));
    }

    @Test
    void anOverrunSkipsTheTicksItMissedWithoutBursting() {
        assertEquals(List.of(0L, 10L, 20L, 50L, 60L, 80L), starts(10, 1, 1, 25, 1, 12, 1));
    }

    @Test
    void aPollTakingExactlyOneIntervalIsFollowedAtOnce() {
        assertEquals(List.of(0L, 10L, 20L), starts(10, 10, 10, 1));
    }

    @Test
    void aFailingPollDoesNotEndTheSchedule() {
        ManualClock ticker = new ManualClock(Instant.ofEpochSecond(7));
        List<Long> starts = new ArrayList<>();
        Puller[] puller = new Puller[1];
        puller[0] = new Puller(
                () -> {
                    starts.add(ticker.nanoTime());
                    if (starts.size() == 3) {
                        puller[0].stop();
                    }
                    throw new IllegalStateException("boom");
                },
                Duration.ofSeconds(1),
                ticker);
        puller[0].run();
        Thread.interrupted();
        assertEquals(3, starts.size());
    }
}
