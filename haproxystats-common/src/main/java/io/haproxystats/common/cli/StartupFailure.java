package io.haproxystats.common.cli;

/**
 * A condition that stops a daemon from starting or going on, stated in one line for the operator
 * (another instance holds the spool, say): exit 1 with the message and no stack trace.
 */
public final class StartupFailure extends RuntimeException {

    public StartupFailure(String message) {
        super(message);
    }

    /** {@code cause} is kept for a debugger, never printed: the message says it all. */
    public StartupFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
