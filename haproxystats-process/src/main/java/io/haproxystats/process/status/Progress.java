package io.haproxystats.process.status;

import java.util.Optional;

/**
 * How the part that takes polls is doing, for the status file and the watchdog: the workers of
 * local mode, the forwarder at the edge, the consumers of a central processor.
 */
public interface Progress {

    /** The last poll finished and the last progress. */
    LastFinished last();

    /** True while every thread of it runs (the liveness check). */
    boolean allAlive();

    /**
     * Polls waiting to be taken: the directories in src-dir for the workers and the forwarder, the
     * records behind the consumers' positions in the polls topic for a central processor; -1 when
     * unknown.
     */
    long waiting();

    /**
     * Whether the source of polls reaches its peer, as the status file's {@code kafka} line says
     * it: a central processor's consumers and the brokers; empty when the polls come from src-dir.
     */
    default Optional<Boolean> sourceReachable() {
        return Optional.empty();
    }
}
