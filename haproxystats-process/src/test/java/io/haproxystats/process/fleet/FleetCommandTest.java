package io.haproxystats.process.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code haproxystats-fleet}'s options, in process: {@code --timeout} is the whole run's wall time
 * from the process's start, so a run whose start is already that far behind answers UNKNOWN at
 * once, without reading Kafka; {@code --timeout 0} is a usage error. (Reading a real broker:
 * FleetIT.)
 */
class FleetCommandTest {

    @TempDir
    Path tmp;

    record Result(int exit, String out, String err) {}

    private static Result run(Instant started, String... args) {
        var cl = FleetCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        ((FleetCommand.Run) cl.getSubcommands().get(args[0]).getCommand()).started = started;
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void aTimeoutOfZeroOrLessIsAUsageError() throws Exception {
        Path conf = Files.writeString(tmp.resolve("f.conf"), "[kafka]\nbootstrap-servers = 127.0.0.1:9\n");
        for (String t : new String[] {"0", "-1"}) {
            for (String sub : new String[] {"servers", "retire"}) {
                Result r = sub.equals("servers")
                        ? run(Instant.now(), sub, "-f", conf.toString(), "--timeout", t)
                        : run(Instant.now(), sub, "-f", conf.toString(), "--timeout", t, "lb3");
                assertEquals(3, r.exit(), r.toString());
                assertTrue(
                        r.err()
                                .contains((sub.equals("servers") ? "SERVERS" : "RETIRE")
                                        + " UNKNOWN: --timeout must be at least 1 second (the whole run's"
                                        + " wall time), got " + t),
                        r.err());
                assertTrue(r.err().contains("Usage: haproxystats-fleet " + sub), r.err());
            }
        }
    }

    /**
     * A process that started 9 s ago (a JVM slow to start on a loaded host) with --timeout 8 has no
     * time left: UNKNOWN at once, Kafka not even tried (the broker address here would answer nothing
     * anyway: what is tested is the verdict's reason).
     */
    @Test
    void theTimeoutCountsFromTheProcessStart() throws Exception {
        Path conf = Files.writeString(tmp.resolve("f.conf"), "[kafka]\nbootstrap-servers = 127.0.0.1:9\n");
        Result r = run(Instant.now().minusSeconds(9), "servers", "-f", conf.toString(), "--timeout", "8");
        assertEquals(3, r.exit(), r.toString());
        assertEquals(
                "SERVERS UNKNOWN: --timeout 8 s had passed since the process's start before Kafka could be read\n",
                r.out(),
                r.toString());
    }
}
