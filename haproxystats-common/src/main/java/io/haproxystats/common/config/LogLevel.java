package io.haproxystats.common.config;

import java.util.Locale;

/** The original's {@code loglevel} words (Python logging level names, any case). */
public enum LogLevel {
    DEBUG,
    INFO,
    WARNING,
    ERROR,
    CRITICAL;

    static LogLevel read(EffectiveConfig config, String section) {
        String value = config.get(section, "loglevel");
        return switch (value.strip().toUpperCase(Locale.ROOT)) {
            case "DEBUG" -> DEBUG;
            case "INFO" -> INFO;
            case "WARNING", "WARN" -> WARNING;
            case "ERROR" -> ERROR;
            case "CRITICAL", "FATAL" -> CRITICAL;
            default ->
                throw ConfigurationException.forOption(
                        section,
                        "loglevel",
                        "must be one of debug, info, warning, error, critical, got '" + value + "'");
        };
    }
}
