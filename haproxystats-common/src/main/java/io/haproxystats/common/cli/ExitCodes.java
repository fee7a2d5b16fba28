package io.haproxystats.common.cli;

/** Process exit codes of both daemons (documented in docs/operations.md). */
public final class ExitCodes {

    /** Clean stop (SIGTERM/SIGHUP) or a one-shot command that succeeded. */
    public static final int OK = 0;
    /** A runtime failure: a worker died, a directory could not be created, an unexpected error. */
    public static final int RUNTIME_FAILURE = 1;
    /** A command-line usage error or an invalid configuration. */
    public static final int CONFIG_ERROR = 2;

    private ExitCodes() {}
}
