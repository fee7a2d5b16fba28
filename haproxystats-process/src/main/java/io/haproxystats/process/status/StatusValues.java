package io.haproxystats.process.status;

import java.util.Map;

/** A part of the processor with figures of its own in the status file (the OpenMetrics endpoint's scrapes). */
public interface StatusValues {

    /** Adds its {@code key = value} figures, keys in the status file's lower-case style. */
    void addTo(Map<String, Object> values);
}
