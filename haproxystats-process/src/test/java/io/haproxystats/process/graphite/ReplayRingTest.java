package io.haproxystats.process.graphite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.haproxystats.process.compute.MetricBatch;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The replay ring keeps the newest bytes and gives back whole lines only. */
class ReplayRingTest {

    private static MetricBatch batch(String ts, int from, int to) {
        MetricBatch b = new MetricBatch(ts);
        for (int i = from; i < to; i++) {
            b.add("m" + i, i);
        }
        return b;
    }

    private static String replayed(ReplayRing ring) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ring.writeTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void beforeItFillsEverythingComesBackInOrder() throws Exception {
        ReplayRing ring = new ReplayRing(1000);
        ring.append(batch("1", 0, 3));
        ring.append(batch("2", 3, 5));
        assertEquals("m0 0 1\nm1 1 1\nm2 2 1\nm3 3 2\nm4 4 2\n", replayed(ring));
    }

    @Test
    void onceFullOnlyTheNewestWholeLinesComeBack() throws Exception {
        // Each line "mNN NN 7\n" is 9 bytes for NN in 10..99: 15 lines are 135 bytes; a 40-byte ring
        // keeps bytes 95..134: 4 bytes of the cut line m20, then m21..m24 whole.
        ReplayRing ring = new ReplayRing(40);
        ring.append(batch("7", 10, 20));
        ring.append(batch("7", 20, 25));
        assertEquals("m21 21 7\nm22 22 7\nm23 23 7\nm24 24 7\n", replayed(ring));
        // One batch larger than the ring on its own.
        ring.append(batch("7", 30, 60));
        assertEquals(
                "m56 56 7\nm57 57 7\nm58 58 7\nm59 59 7\n",
                replayed(ring).substring(replayed(ring).indexOf("m56")));
        assertEquals(0, replayed(ring).indexOf("m5"), "starts with a whole line: " + replayed(ring));
    }

    @Test
    void anEmptyOrDisabledRingWritesNothing() throws Exception {
        assertEquals("", replayed(new ReplayRing(1000)));
        ReplayRing off = new ReplayRing(0);
        off.append(batch("1", 0, 3));
        assertEquals("", replayed(off));
    }
}
