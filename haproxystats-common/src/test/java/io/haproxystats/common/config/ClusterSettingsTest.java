package io.haproxystats.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** [cluster] and [clusters]: off by default, defaults from the pull interval, errors naming the option. */
class ClusterSettingsTest {

    @TempDir
    Path tmp;

    private static final String CENTRAL = """
            [process]
            source = kafka
            [kafka]
            bootstrap-servers = 127.0.0.1:9092
            """;

    private ClusterSettings read(String ini) throws IOException {
        return ProcessConfig.from(ConfigLoader.load(
                        Files.writeString(tmp.resolve("c.conf"), "[paths]\nbase-dir = " + tmp + "\n" + ini), null))
                .cluster();
    }

    private String error(String ini) {
        return assertThrows(ConfigurationException.class, () -> read(ini)).getMessage();
    }

    /**
     * Mistakes that passed silently (issue 27, item 8): [cluster]'s options written in [clusters]
     * (aggregation silently off), and the names whose paths meet: a cluster named haproxy, a load
     * balancer named cluster.
     */
    @Test
    void clusterOptionsInClustersAndNamesWhosePathsMeetAreErrors() {
        for (String option : new String[] {"aggregate", "window", "grace", "expected-windows", "state-dir"}) {
            assertEquals(
                    "[clusters] " + option + ": is an option of [cluster] (aggregation), not a cluster name:"
                            + " [clusters] maps cluster names to load balancer patterns; move it to [cluster] (a"
                            + " cluster cannot be named like a [cluster] option)",
                    error(CENTRAL + "[clusters]\n" + option + " = 1\n"));
        }
        String haproxy = "a cluster cannot be named 'haproxy': its lines <namespace>.cluster.haproxy... would meet"
                + " those of a load balancer named 'cluster' (<namespace>.<lb>.haproxy...)";
        assertEquals("[clusters] haproxy: " + haproxy, error(CENTRAL + "[clusters]\nhaproxy = ^lb\n"));
        assertEquals(
                "[kafka] cluster: " + haproxy,
                error("[process]\nmode = forward\n[kafka]\n"
                        + "bootstrap-servers = 127.0.0.1:9092\ncluster = haproxy\n"));
        assertEquals(
                "[kafka] host: a load balancer cannot be named 'cluster': its lines <namespace>.cluster.haproxy..."
                        + " would meet the cluster lines <namespace>.cluster.<cluster>...",
                error("[process]\nmode = forward\n[kafka]\nbootstrap-servers = 127.0.0.1:9092\nhost = cluster\n"));
    }

    @Test
    void offByDefaultWithWindowsOfThePullInterval() throws IOException {
        ClusterSettings c = read("[pull]\npull-interval = 5\n");
        assertFalse(c.aggregate());
        assertEquals(Duration.ofSeconds(5), c.window());
        assertEquals(Duration.ofSeconds(10), c.grace(), "two windows");
        assertEquals(6, c.expectedWindows());
        assertEquals("haproxystats.cluster-values", c.valuesTopic());
        assertEquals("haproxystats.cluster-lines", c.linesTopic());
        assertEquals("haproxystats-cluster", c.applicationId());
        assertEquals(tmp.resolve("cluster-state"), c.stateDir());
        assertEquals(Optional.empty(), c.clusterOf("lb1"));
    }

    @Test
    void setOnACentralProcessorWithClustersInFileOrder() throws IOException {
        ClusterSettings c = read(CENTRAL + """
                [cluster]
                aggregate = yes
                window = 30
                grace = 0
                expected-windows = 2
                [clusters]
                ams = ^lb-ams-
                web = ^lb[0-9]+$$
                any = lb
                """);
        assertTrue(c.aggregate());
        assertEquals(Duration.ofSeconds(30), c.window());
        assertEquals(Duration.ZERO, c.grace());
        assertEquals(2, c.expectedWindows());
        assertEquals(Optional.of("ams"), c.clusterOf("lb-ams-1"));
        assertEquals(Optional.of("web"), c.clusterOf("lb12"));
        assertEquals(Optional.of("any"), c.clusterOf("edge-lb12x"), "searched anywhere, first match");
        assertEquals(Optional.empty(), c.clusterOf("db1"));
    }

    @Test
    void badValuesNameTheOption() {
        assertTrue(error("[cluster]\naggregate = true\n").contains("[cluster] aggregate"));
        assertTrue(error("[cluster]\naggregate = true\n").contains("source = kafka"));
        assertTrue(error(CENTRAL + "[cluster]\nwindow = 0.5\n").contains("[cluster] window"));
        assertTrue(error(CENTRAL + "[cluster]\nexpected-windows = 0\n").contains("[cluster] expected-windows"));
        assertTrue(
                error(CENTRAL + "[cluster]\nlines-topic = haproxystats.polls\n").contains("three different"));
        assertTrue(error(CENTRAL + "[cluster]\nvalues-topic = a b\n").contains("[cluster] values-topic"));
        assertTrue(error("[clusters]\nweb = (unclosed\n").contains("[clusters] web"));
        assertTrue(error("[clusters]\nweb.eu = lb\n").contains("one Graphite path component"));
    }
}
