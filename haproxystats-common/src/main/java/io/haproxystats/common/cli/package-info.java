/**
 * What both executables share on the command line: {@link io.haproxystats.common.cli.DaemonCommand}
 * (-f, -p, -P, --strict, -h, -v on picocli; unknown-option warnings; the exit codes of
 * {@link io.haproxystats.common.cli.ExitCodes}), SIGTERM/SIGHUP as a clean stop
 * ({@link io.haproxystats.common.cli.Signals}), the log level, and
 * {@link io.haproxystats.common.cli.StartupFailure} for one-line runtime refusals (exit 1).
 */
package io.haproxystats.common.cli;
