package io.haproxystats.common.cli;

import io.haproxystats.common.config.ConfigLoader;
import io.haproxystats.common.config.ConfigPrinter;
import io.haproxystats.common.config.ConfigurationException;
import io.haproxystats.common.config.EffectiveConfig;
import io.haproxystats.common.config.KnownOptions;
import io.haproxystats.common.config.WorldWritable;
import io.haproxystats.common.status.StatusFile;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What both daemons' command lines share: {@code -f FILE}, {@code -p}, {@code -P}, {@code -h},
 * {@code -v}, and the exit-code contract ({@link ExitCodes}). A subclass says which sections it
 * reads and runs the daemon once the configuration is valid.
 */
public abstract class DaemonCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(DaemonCommand.class);

    @Spec
    protected CommandLine.Model.CommandSpec spec;

    @Option(
            names = {"-f", "--file"},
            paramLabel = "FILE",
            defaultValue = "/etc/haproxystats.conf",
            description = "configuration file with settings (default: ${DEFAULT-VALUE}); a missing file means defaults")
    protected Path file;

    @CommandLine.ArgGroup(exclusive = true)
    protected PrintOptions print = new PrintOptions();

    /** {@code -p} and {@code -P} exclude each other. */
    public static final class PrintOptions {
        @Option(
                names = {"-p", "--print"},
                description = "show default settings and exit")
        boolean defaults;

        @Option(
                names = {"-P", "--print-conf"},
                description = "show the effective configuration and exit")
        boolean effective;
    }

    @Option(
            names = "--strict",
            description = "an option the daemon does not know (a typo) is an error (exit 2), " + "not a warning")
    boolean strict;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "show this screen")
    boolean help;

    @Option(
            names = {"-v", "--version"},
            versionHelp = true,
            description = "show version")
    boolean version;

    /** Sections this daemon reads and {@code -p}/{@code -P} print. */
    protected abstract Predicate<String> sections();

    /** Directory of extra {@code *.conf} files, or null. */
    protected Path extraConfigDir() {
        return null;
    }

    /**
     * The status file's fixed lines every daemon writes: {@code config}, the configuration file it
     * read ({@link StatusFile#configPath}); the nagios check compares it with its own {@code -f}
     * before it trusts the paths of that status file.
     */
    protected Map<String, Object> statusPaths() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("config", StatusFile.configPath(file));
        return out;
    }

    /**
     * The {@code [kafka] client.<property>} names (without the prefix) Kafka's clients know: a name
     * not among them is reported as an unknown option (a warning, an error with {@code --strict}),
     * with the nearest known name. Empty, the default, leaves them unchecked: this module does not
     * carry Kafka, so the daemon that does answers from Kafka's own lists.
     */
    protected Set<String> kafkaClientProperties() {
        return Set.of();
    }

    /**
     * Checks combinations of command-line options before anything is read; throws picocli's
     * {@code ParameterException} (a usage error, exit 2).
     */
    protected void checkOptions() {}

    /** Validates what the daemon reads; throws {@link ConfigurationException} naming the option. */
    protected abstract void validate(EffectiveConfig config);

    /** Runs the daemon with a valid configuration; returns the exit code. */
    protected abstract int run(EffectiveConfig config) throws Exception;

    @Override
    public final Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        checkOptions();
        if (print.defaults) {
            ConfigPrinter.printDefaults(out, sections());
            return ExitCodes.OK;
        }
        EffectiveConfig config = ConfigLoader.load(file, extraConfigDir());
        validate(config);
        List<KnownOptions.Unknown> unknown = KnownOptions.unknown(config, sections(), this::kafkaClientProperties);
        if (strict && !unknown.isEmpty()) {
            throw new ConfigurationException(unknown.get(0).message()
                    + (unknown.size() > 1 ? " (and " + (unknown.size() - 1) + " more unknown options)" : ""));
        }
        if (print.effective) {
            ConfigPrinter.printEffective(out, config, sections(), unknown);
            return ExitCodes.OK;
        }
        if (!Files.exists(file)) {
            LOG.warn("configuration file {} does not exist: running on the built-in defaults (-p prints them)", file);
        }
        unknown.forEach(u -> LOG.warn("{} (--strict makes this an error)", u.message()));
        List<Path> steering = new ArrayList<>(List.of(file));
        if (extraConfigDir() != null) {
            steering.add(extraConfigDir());
        }
        WorldWritable.warnings(steering).forEach(LOG::warn);
        return run(config);
    }

    /** Runs a command and returns its exit code: 2 with one line on stderr for configuration errors. */
    public static int execute(DaemonCommand command, String... args) {
        return commandLine(command).execute(args);
    }

    public static CommandLine commandLine(DaemonCommand command) {
        CommandLine cl = new CommandLine(command);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (ex instanceof ConfigurationException) {
                err.println(commandLine.getCommandName() + ": configuration error: " + ex.getMessage());
                err.flush();
                return ExitCodes.CONFIG_ERROR;
            }
            if (ex instanceof StartupFailure) {
                err.println(commandLine.getCommandName() + ": " + ex.getMessage());
                err.flush();
                return ExitCodes.RUNTIME_FAILURE;
            }
            LOG.error("{} failed", commandLine.getCommandName(), ex);
            err.println(commandLine.getCommandName() + ": " + ex);
            err.flush();
            return ExitCodes.RUNTIME_FAILURE;
        });
        return cl;
    }
}
