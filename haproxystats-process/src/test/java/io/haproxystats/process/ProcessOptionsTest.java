package io.haproxystats.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.haproxystats.common.cli.DaemonCommand;
import io.haproxystats.process.fleet.FleetCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Configuration mistakes that passed {@code --strict} (issue 27, item 8), through the processor's
 * own command line: a {@code [kafka] client.} property Kafka does not know (checked against
 * Kafka's own property names), and {@code [clusters]} holding {@code [cluster]}'s options.
 */
class ProcessOptionsTest {

    @TempDir
    Path tmp;

    private record Run(int exit, String out, String err) {}

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = DaemonCommand.commandLine(new ProcessCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private Path conf(String ini) throws Exception {
        return Files.writeString(tmp.resolve("c.conf"), "[paths]\nbase-dir = " + tmp + "\n" + ini);
    }

    @Test
    void aKafkaClientPropertyKafkaDoesNotKnowIsMarkedAndIsAnErrorWithStrict() throws Exception {
        Path conf = conf("""
                [process]
                mode = forward
                [kafka]
                bootstrap-servers = 127.0.0.1:9092
                client.no.such.option = 1
                client.linger.msec = 5
                client.security.protocol = SSL
                client.ssl.truststore.location = /etc/ssl/kafka.jks
                client.sasl.jaas.config = x
                client.max.request.size = 2097152
                client.num.stream.threads = 2
                client.producer.compression.type = zstd
                """);
        Run printed = run("-f", conf.toString(), "-P");
        assertEquals(0, printed.exit(), printed.err());
        assertTrue(
                printed.out()
                        .contains("# [kafka] client.linger.msec: 'linger.msec' is not a property of Kafka's producer,"
                                + " consumer, admin client or Streams; did you mean client.linger.ms?\n"),
                printed.out());
        assertTrue(
                printed.out()
                        .contains("# [kafka] client.no.such.option: 'no.such.option' is not a property of Kafka's"
                                + " producer, consumer, admin client or Streams (the clients would ignore it)\n"),
                printed.out());
        // Kafka's own names pass: producer, consumer and common ones, Streams' and its prefixed ones.
        assertEquals(
                2, printed.out().lines().filter(l -> l.startsWith("# [kafka]")).count(), printed.out());

        Run strict = run("-f", conf.toString(), "--strict", "-P");
        assertEquals(2, strict.exit());
        assertEquals(
                "haproxystats-process: configuration error: [kafka] client.linger.msec: 'linger.msec' is not a"
                        + " property of Kafka's producer, consumer, admin client or Streams; did you mean"
                        + " client.linger.ms? (and 1 more unknown options)\n",
                strict.err());
    }

    @Test
    void clusterOptionsWrittenInClustersAreAnError() throws Exception {
        Run run = run("-f", conf("""
                        [process]
                        source = kafka
                        [kafka]
                        bootstrap-servers = 127.0.0.1:9092
                        [clusters]
                        aggregate = true
                        eu = ^eu-
                        """).toString(), "-P");
        assertEquals(2, run.exit());
        assertEquals(
                "haproxystats-process: configuration error: [clusters] aggregate: is an option of [cluster]"
                        + " (aggregation), not a cluster name: [clusters] maps cluster names to load balancer patterns;"
                        + " move it to [cluster] (a cluster cannot be named like a [cluster] option)\n",
                run.err());
    }

    /** {@code -h} listed exit codes 0 to 2; 3 (out of heap) exists too (issue 27, item 10). */
    @Test
    void helpListsEveryExitCode() {
        Run help = run("-h");
        assertEquals(0, help.exit(), help.err());
        assertTrue(
                help.out()
                        .matches("(?s).*Exit codes:\\R.*0 +clean stop.*1 +runtime failure.*2 +usage or configuration"
                                + " error\\R +3 +out of heap \\(the launcher's -XX:\\+ExitOnOutOfMemoryError\\)\\R.*"),
                help.out());
    }

    /** {@code haproxystats-fleet servers --timeout 0} ran with 1 s (issue 27, item 10): UNKNOWN, saying why. */
    @Test
    void fleetTimeoutZeroIsRefused() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = FleetCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute("servers", "-f", conf("").toString(), "--timeout", "0");
        assertEquals(3, exit, out + "" + err);
        assertTrue(
                err.toString().startsWith("SERVERS UNKNOWN: --timeout must be at least 1 second")
                        && err.toString().contains("got 0"),
                out + "" + err);
    }
}
