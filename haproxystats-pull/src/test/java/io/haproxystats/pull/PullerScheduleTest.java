package io.haproxystats.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The schedule on a driven clock: fixed phase, no catch-up bursts after an overrun. */
class PullerScheduleTest {

    /** A clock that only moves when the scheduler sleeps or a poll "works". */
    private static final class DrivenTicker implements Puller.Ticker {
        long now = 7; // an arbitrary origin: the phase is the first poll's, not zero

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleepNanos(long nanos) {
            now += nanos;
        }
    }

    /** Runs polls taking the given durations (seconds) and returns their start times relative to the first. */
    private static List<Long> starts(long intervalSeconds, long... durations) {
        DrivenTicker ticker = new DrivenTicker();
        long origin = ticker.now;
        List<Long> starts = new ArrayList<>();
        Puller[] puller = new Puller[1];
        puller[0] = new Puller(() -> {
            starts.add((ticker.now - origin) / 1_000_000_000L);
            ticker.now += durations[starts.size() - 1] * 1_000_000_000L;
            if (starts.size() == durations.length) {
                puller[0].stop();
            }
        }, Duration.ofSeconds(intervalSeconds), ticker);
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
        DrivenTicker ticker = new DrivenTicker();
        List<Long> starts = new ArrayList<>();
        Puller[] puller = new Puller[1];
        puller[0] = new Puller(() -> {
            starts.add(ticker.now);
            if (starts.size() == 3) {
                puller[0].stop();
            }
            throw new IllegalStateException("boom");
        }, Duration.ofSeconds(1), ticker);
        puller[0].run();
        Thread.interrupted();
        assertEquals(3, starts.size());
    }
}
