package io.haproxystats.common.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.haproxystats.common.config.LogLevel;
import org.slf4j.LoggerFactory;

/**
 * Applies the configured {@code loglevel} to the root logger. Logback's configuration
 * ({@code logback.xml} in this module) writes to stdout, where systemd's journal takes it.
 */
public final class Logging {

    private Logging() {}

    /**
     * No log line at all, from any logger (Kafka's included): for a command whose standard output
     * is its result, such as a nagios check whose first line is the status.
     */
    public static void silence() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        for (Logger logger : context.getLoggerList()) {
            logger.setLevel(logger.getName().equals(org.slf4j.Logger.ROOT_LOGGER_NAME) ? Level.OFF : null);
        }
    }

    public static void setLevel(LogLevel level) {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(
                switch (level) {
                    case DEBUG -> Level.DEBUG;
                    case INFO -> Level.INFO;
                    case WARNING -> Level.WARN;
                    case ERROR, CRITICAL -> Level.ERROR;
                });
    }
}
