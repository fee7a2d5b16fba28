package io.haproxystats.process.kafka;

import java.util.ArrayList;
import java.util.List;

/**
 * The arrays a central processor decompresses poll containers into, kept between records. A
 * container is the largest thing a central processor allocates (53 MB for a 64-file poll of
 * 5,500-row answers); a new one per record filled the young generation at every poll and made the
 * collector copy it, where local mode reads files into buffers its threads keep. Arrays come back
 * after their poll is parsed and stay, up to {@code retainBytes} in all (beyond, the largest are
 * let go: the next large poll allocates again). Thread-safe.
 */
public final class ContainerBuffers {

    /** Arrays are allocated an eighth larger, to 64 KiB, so that polls of about one size share one. */
    private static final int GRAIN = 1 << 16;

    private final long retainBytes;
    private final List<byte[]> free = new ArrayList<>();
    private long retained;

    /** @param retainBytes the most bytes of free arrays kept (a fraction of the heap) */
    public ContainerBuffers(long retainBytes) {
        this.retainBytes = retainBytes;
    }

    /** An array of at least {@code size} bytes: the smallest free one that fits, else a new one. */
    public synchronized byte[] borrow(int size) {
        int best = -1;
        for (int i = 0; i < free.size(); i++) {
            int length = free.get(i).length;
            if (length >= size && (best < 0 || length < free.get(best).length)) {
                best = i;
            }
        }
        if (best >= 0) {
            byte[] b = free.remove(best);
            retained -= b.length;
            return b;
        }
        long padded = ((size + (long) size / 8 + GRAIN - 1) / GRAIN) * GRAIN;
        return new byte[(int) Math.min(padded, Integer.MAX_VALUE - 16)];
    }

    /** Gives an array back once nothing reads it any more; kept while the free ones stay within the bound. */
    public synchronized void release(byte[] b) {
        free.add(b);
        retained += b.length;
        while (retained > retainBytes) {
            int largest = 0;
            for (int i = 1; i < free.size(); i++) {
                if (free.get(i).length > free.get(largest).length) {
                    largest = i;
                }
            }
            retained -= free.remove(largest).length;
        }
    }

    /** Bytes of free arrays kept now. */
    public synchronized long retained() {
        return retained;
    }
}
