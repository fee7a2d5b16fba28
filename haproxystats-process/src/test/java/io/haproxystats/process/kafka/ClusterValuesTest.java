package io.haproxystats.process.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The values topic's records read back as input: {@link ClusterValues#decode} and {@link
 * ClusterValues#checkCluster} refuse what could forge, split or spoil a line, naming what is wrong.
 */
class ClusterValuesTest {

    private static final long EPOCH = 1795224218L;

    private static IllegalArgumentException refused(String lb, long epoch, String path, double value) {
        byte[] bytes =
                new ClusterValues(lb, epoch, List.of("frontend.www.bin", path), new double[] {1, value}).encode();
        return assertThrows(IllegalArgumentException.class, () -> ClusterValues.decode(bytes), path);
    }

    @Test
    void aRealPollsValuesReadBackAsTheyWere() {
        ClusterValues v = new ClusterValues(
                "lb1.example.com",
                EPOCH,
                List.of("frontend.www.bin", "backend.app.server.web-1.qcur", "daemon.Idle_pct"),
                new double[] {1, -2.5, 0});
        ClusterValues back = ClusterValues.decode(v.encode());
        assertEquals(v.paths(), back.paths());
        assertArrayEquals(v.values(), back.values());
        assertEquals("web", ClusterValues.checkCluster("web"));
    }

    @Test
    void pathsThatAreNotSanitisedComponentsAreRefusedWithTheReason() {
        IllegalArgumentException e = refused("lb1", EPOCH, "frontend.www.bin 1 1\nlb.victim.scur", 1);
        assertTrue(
                e.getMessage().contains("value 1: the path 'frontend.www.bin 1 1\\u000alb.victim.scur'"),
                e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "a message quotes a newline, never writes one");
        assertTrue(refused("lb1", EPOCH, "frontend..bin", 1).getMessage().contains("empty component"));
        assertTrue(refused("lb1", EPOCH, "frontend.www.", 1).getMessage().contains("empty component"));
        assertTrue(refused("lb1", EPOCH, "", 1).getMessage().contains("is empty"));
        for (String bad :
                List.of("frontend.w/w.bin", "frontend.w w.bin", "a;tag=1", "a.b\tc", "a.\u0000", "a.\u007f")) {
            assertTrue(refused("lb1", EPOCH, bad, 1).getMessage().contains("a component with"), bad);
        }
        assertTrue(refused("lb1", EPOCH, "a".repeat(ClusterValues.MAX_PATH + 1), 1)
                .getMessage()
                .contains("longer than " + ClusterValues.MAX_PATH));
    }

    @Test
    void valuesThatAreNotFiniteAreRefused() {
        for (double v : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            IllegalArgumentException e = refused("lb1", EPOCH, "frontend.www.bout", v);
            assertTrue(
                    e.getMessage().contains("(frontend.www.bout) is " + v + ", expected a finite number"),
                    e.getMessage());
        }
    }

    @Test
    void aLoadBalancerOrEpochThatIsNoneIsRefused() {
        assertTrue(refused("lb1\nlb2", EPOCH, "a.b", 1).getMessage().contains("load balancer's name 'lb1\\u000alb2'"));
        assertTrue(refused("", EPOCH, "a.b", 1).getMessage().contains("load balancer's name"));
        assertTrue(refused("lb1", -5, "a.b", 1).getMessage().contains("epoch is -5"));
    }

    @Test
    void aClusterKeyIsOneSanitisedComponent() {
        for (String key : List.of("web\nlb", "web.other", "x/../../..", "w b", "a;b", "")) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> ClusterValues.checkCluster(key), key);
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> ClusterValues.checkCluster(null));
    }
}
