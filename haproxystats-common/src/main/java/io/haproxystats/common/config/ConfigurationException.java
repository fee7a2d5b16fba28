package io.haproxystats.common.config;

/**
 * A configuration that cannot be used. The message is one line meant for an operator: it names the
 * file and line, or the section and option, the value found and what was expected.
 */
public final class ConfigurationException extends RuntimeException {

    public ConfigurationException(String message) {
        super(message);
    }

    /** An option's problem, as {@code [section] option: problem}. */
    public static ConfigurationException forOption(String section, String option, String problem) {
        return new ConfigurationException("[" + section + "] " + option + ": " + problem);
    }
}
