package io.haproxystats.common.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The watchdog interval rules of sd_watchdog_enabled(3); the datagrams themselves are tested in OperationsIT. */
class SystemdNotifierTest {

    @Test
    void watchdogEveryHalfOfWatchdogUsecWhenMeantForUs() {
        assertEquals(
                Optional.of(Duration.ofSeconds(30)),
                SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "60000000"), 42));
        assertEquals(
                Optional.of(Duration.ofMillis(500)),
                SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "1000000", "WATCHDOG_PID", "42"), 42));
    }

    @Test
    void noWatchdogForAnotherPidOrWithoutOrWithBadUsec() {
        assertEquals(
                Optional.empty(),
                SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "1000000", "WATCHDOG_PID", "7"), 42));
        assertEquals(Optional.empty(), SystemdNotifier.watchdogInterval(Map.of(), 42));
        assertEquals(Optional.empty(), SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "soon"), 42));
        assertEquals(Optional.empty(), SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "0"), 42));
    }

    @Test
    void withoutNotifySocketTheNotifierIsANoOp() {
        SystemdNotifier n = SystemdNotifier.fromEnvironment(Map.of());
        assertFalse(n.enabled());
        n.ready("x");
        n.watchdog();
        n.stopping();
        n.close();
    }
}
