package io.haproxystats.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.cli.DaemonCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A misspelled option: marked in -P, an error with --strict (the warning at start is logged by the daemon). */
class OptionTyposTest {

    @TempDir
    Path tmp;

    private record Run(int exit, String out, String err) {}

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = DaemonCommand.commandLine(new PullCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void aTypoIsMarkedInTheEffectiveConfigurationAndIsAnErrorWithStrict() throws Exception {
        Path conf = Files.writeString(tmp.resolve("c.conf"), "[pull]\npull-intervall = 5\n");
        Run printed = run("-f", conf.toString(), "-P");
        assertEquals(0, printed.exit(), printed.err());
        assertTrue(
                printed.out()
                        .contains("# [pull] pull-intervall is not an option; did you mean pull-interval?\n"
                                + "pull-intervall = 5\n"),
                printed.out());
        assertTrue(printed.out().contains("pull-interval = 10\n"), "the value in force is the default");

        Run strict = run("-f", conf.toString(), "--strict", "-P");
        assertEquals(2, strict.exit());
        assertEquals(
                "haproxystats-pull: configuration error: [pull] pull-intervall is not an option; did you mean "
                        + "pull-interval?\n",
                strict.err());
    }

    /** {@code -h} listed exit codes 0 to 2; 3 (out of heap) exists too (issue 27, item 10). */
    @Test
    void helpListsEveryExitCode() {
        Run help = run("-h");
        assertEquals(0, help.exit(), help.err());
        assertTrue(
                help.out().matches("(?s).*\\R +3 +out of heap \\(the launcher's -XX:\\+ExitOnOutOfMemoryError\\)\\R.*"),
                help.out());
    }
}
