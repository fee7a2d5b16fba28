package io.haproxystats.process.compute;

import java.util.Locale;

/**
 * The states the state metrics count ({@code [process] state-metrics}), each enum in the order its
 * lines are sent; a group's counts are a {@code long[]} indexed by ordinal. {@code of} reads
 * HAProxy's {@code status} column and returns null for a value that is not counted.
 */
final class States {

    private States() {}

    /** A frontend: OPEN (FULL, a frontend at its connection limit, is open too) or STOP. */
    enum Frontend {
        OPEN,
        STOP;

        static Frontend of(String status) {
            String s = status.strip().toUpperCase(Locale.ROOT);
            return s.equals("OPEN") || s.equals("FULL") ? OPEN : s.equals("STOP") ? STOP : null;
        }
    }

    /** A backend: UP or DOWN. */
    enum Backend {
        UP,
        DOWN;

        static Backend of(String status) {
            String s = status.strip().toUpperCase(Locale.ROOT);
            return s.startsWith("UP") ? UP : s.startsWith("DOWN") ? DOWN : null;
        }
    }

    /**
     * A server: transitional values count as their main state ("UP 2/3" is UP, "DOWN 1/2" DOWN),
     * "MAINT(via)" and "MAINT (resolution)" MAINT, "DRAIN (agent)" DRAIN, and "no check" (a server
     * without health checks) UP.
     */
    enum Server {
        UP,
        DOWN,
        NOLB,
        DRAIN,
        MAINT;

        private static final Server[] ALL = values();

        static Server of(String status) {
            String s = status.strip().toUpperCase(Locale.ROOT);
            for (Server state : ALL) {
                if (s.startsWith(state.name())) {
                    return state;
                }
            }
            return s.equals("NO CHECK") ? UP : null;
        }
    }
}
