package io.haproxystats.common.testing;

import java.nio.file.Path;

/** The configuration the daemon-level tests share; each test appends its own lines. */
public final class TestConfig {

    private TestConfig() {}

    /**
     * {@code [paths] base-dir} and a {@code [pull]} section polling {@code socketDir} every second
     * into {@code base/incoming}; {@code [pull]} is left open, so a test can append its options.
     */
    public static String spool(Path base, Path socketDir) {
        return spool(base, "socket-dir = " + socketDir);
    }

    /** As {@link #spool(Path, Path)}, with what to poll given as a {@code [pull]} line (e.g. master-sockets). */
    public static String spool(Path base, String pollLine) {
        return """
                [paths]
                base-dir = %s
                [pull]
                %s
                pull-interval = 1
                dst-dir = ${paths:base-dir}/incoming
                tmp-dst-dir = ${paths:base-dir}/incoming.tmp
                """.formatted(base, pollLine);
    }

    /**
     * A processor reading the spool's incoming/ and sending to a Graphite plaintext listener on
     * 127.0.0.1:{@code port}, paths {@code <namespace>.haproxy...} (no hostname); the
     * {@code [graphite]} section is left open.
     */
    public static String toGraphite(int port, String namespace) {
        return """
                [process]
                src-dir = ${paths:base-dir}/incoming
                [graphite]
                port = %d
                namespace = %s
                prefix-hostname = false
                """.formatted(port, namespace);
    }

    /** {@code [paths] base-dir}: the start of a processor's configuration that has no puller. */
    public static String paths(Path base) {
        return """
                [paths]
                base-dir = %s
                """.formatted(base);
    }

    /**
     * An edge: the spool's incoming/ forwarded to the polls topic of the brokers at
     * {@code bootstrap} as load balancer {@code host}; the {@code [kafka]} section is left open.
     */
    public static String forward(String bootstrap, String host) {
        return """
                [process]
                src-dir = ${paths:base-dir}/incoming
                mode = forward
                [kafka]
                bootstrap-servers = %s
                host = %s
                """.formatted(bootstrap, host);
    }

    /**
     * A central processor: {@code workers} consumers of the polls topic of the brokers at
     * {@code bootstrap}, lines to a Graphite plaintext listener on 127.0.0.1:{@code graphitePort}
     * under {@code namespace} (the default when null); the {@code [kafka]} section is left open.
     */
    public static String central(String bootstrap, int graphitePort, String namespace, int workers) {
        return """
                [process]
                source = kafka
                workers = %d
                [graphite]
                port = %d
                %s
                [kafka]
                bootstrap-servers = %s
                """.formatted(workers, graphitePort, namespace == null ? "" : "namespace = " + namespace, bootstrap);
    }
}
