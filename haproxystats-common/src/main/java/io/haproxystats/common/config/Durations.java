package io.haproxystats.common.config;

import java.time.Duration;

/** Seconds as written in the configuration (fractions allowed) to {@link Duration}. */
public final class Durations {

    private Durations() {
    }

    public static Duration ofSeconds(double seconds) {
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }

    static Duration read(EffectiveConfig config, String section, String option, double min) {
        return ofSeconds(config.getSeconds(section, option, min));
    }
}
