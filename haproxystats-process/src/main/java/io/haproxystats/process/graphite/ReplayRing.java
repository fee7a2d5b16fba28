package io.haproxystats.process.graphite;

import io.haproxystats.process.compute.MetricBatch;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The last {@code capacity} bytes of lines the Graphite sender wrote, kept to be written again
 * after a connection is lost. A plaintext peer acknowledges nothing: lines a relay's kernel took
 * into its socket buffer but the relay never read (it hung, then was killed) are gone with it, and
 * their polls were already deleted. The ring is larger than what the socket buffers took from a
 * stopped relay here (3.1 MB against 8 MiB), so after any lost connection, writing the ring again
 * first (new polls follow only once the peer took all of it) resends whatever the dead peer held. Graphite overwrites a point
 * with the same path and timestamp, so a line written twice is harmless. Sender thread only.
 */
final class ReplayRing {

    private final byte[] ring;
    /** Bytes ever appended; the ring holds the last min(total, capacity) of them. */
    private long total;

    ReplayRing(int capacity) {
        this.ring = new byte[capacity];
    }

    boolean isEmpty() {
        return total == 0 || ring.length == 0;
    }

    /** Bytes that {@link #writeTo} writes at most. */
    long size() {
        return Math.min(total, ring.length);
    }

    /** Appends a batch's bytes (whole lines), keeping only the newest capacity bytes. */
    void append(MetricBatch batch) throws IOException {
        if (ring.length == 0) {
            return;
        }
        batch.writeTo(new OutputStream() {
            @Override
            public void write(int b) {
                ring[(int) (total++ % ring.length)] = (byte) b;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (len >= ring.length) { // only the tail can stay
                    off += len - ring.length;
                    total += len - ring.length;
                    len = ring.length;
                }
                while (len > 0) {
                    int at = (int) (total % ring.length);
                    int n = Math.min(len, ring.length - at);
                    System.arraycopy(b, off, ring, at, n);
                    total += n;
                    off += n;
                    len -= n;
                }
            }
        });
    }

    /**
     * Writes the kept lines, oldest first; when older bytes were overwritten, the first (cut)
     * line is skipped, so only whole lines are written. Returns the bytes written.
     */
    long writeTo(OutputStream out) throws IOException {
        if (isEmpty()) {
            return 0;
        }
        if (total <= ring.length) {
            out.write(ring, 0, (int) total);
            return total;
        }
        int start = (int) (total % ring.length); // the oldest byte
        int skip = 0;
        while (skip < ring.length && ring[(start + skip) % ring.length] != '\n') {
            skip++;
        }
        skip++; // past the newline: the first whole line
        long written = 0;
        for (int i = skip; i < ring.length; ) {
            int from = (start + i) % ring.length;
            int n = Math.min(ring.length - i, ring.length - from);
            out.write(ring, from, n);
            written += n;
            i += n;
        }
        return written;
    }
}
