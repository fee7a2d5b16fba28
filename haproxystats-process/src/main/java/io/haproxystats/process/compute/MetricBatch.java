package io.haproxystats.process.compute;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Graphite plaintext lines of one poll, {@code <path> <value> <timestamp>\n}, built in order
 * directly as UTF-8 bytes in 1 MB chunks: a large poll's 170,000 lines are about 20 MB, and text
 * first, or one array grown by doubling, would hold them two or three times over at the peak. Values: an integral value prints as an integer;
 * any other in the shortest form that reads back to the same double, never in exponent notation.
 * Not thread-safe; one per poll.
 */
public final class MetricBatch {

    private final String timestamp;
    private final byte[] timestampBytes;
    private static final int CHUNK = 1 << 20;

    private final List<byte[]> full = new ArrayList<>();
    private byte[] buf = new byte[4096];
    private int size;
    private long fullBytes;
    private int lines;

    /** The load balancer a central processor computed it for (one path component), or empty in local mode. */
    private String source = "";

    public MetricBatch(String timestamp) {
        this.timestamp = timestamp;
        this.timestampBytes = timestamp.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Names the load balancer whose poll this is, where one processor computes many (central): a
     * sanitised name ({@link MetricPaths#sanitise}), so it is one path component of its own.
     */
    public MetricBatch from(String sanitisedSource) {
        if (!sanitisedSource.equals(MetricPaths.sanitise(sanitisedSource))) { // no '.', '/', space: one component
            throw new IllegalArgumentException("not a sanitised load balancer name: " + sanitisedSource);
        }
        this.source = sanitisedSource;
        return this;
    }

    /** The load balancer named by {@link #from}, or empty. */
    public String source() {
        return source;
    }

    public void add(String path, long value) {
        appendString(path);
        append((byte) ' ');
        appendAscii(Long.toString(value));
        end();
    }

    public void add(String path, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return; // Graphite cannot store it; the original's 'nan' lines are one of the listed fixes.
        }
        appendString(path);
        append((byte) ' ');
        appendAscii(formatNumber(value));
        end();
    }

    /** A pre-formatted value (wall clock times, "%.3f" as the original writes them). */
    void addFormatted(String path, String value) {
        appendString(path);
        append((byte) ' ');
        appendString(value);
        end();
    }

    /**
     * Lines already formatted elsewhere (a cluster window's, read from the lines topic), each
     * ending in a newline; a last line without one gets it.
     */
    public void addLines(byte[] text) {
        for (byte b : text) {
            append(b);
            if (b == '\n') {
                lines++;
            }
        }
        if (text.length > 0 && text[text.length - 1] != '\n') {
            append((byte) '\n');
            lines++;
        }
    }

    public static String formatNumber(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 9.0e18) {
            return Long.toString((long) value);
        }
        String s = Double.toString(value);
        return s.indexOf('E') >= 0 ? new BigDecimal(s).toPlainString() : s;
    }

    private void end() {
        append((byte) ' ');
        ensure(timestampBytes.length + 1);
        System.arraycopy(timestampBytes, 0, buf, size, timestampBytes.length);
        size += timestampBytes.length;
        buf[size++] = '\n';
        lines++;
    }

    private void appendString(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                // Rare: a name with non-ASCII characters. Encode the rest properly.
                byte[] rest = s.substring(i).getBytes(StandardCharsets.UTF_8);
                ensure(rest.length);
                System.arraycopy(rest, 0, buf, size, rest.length);
                size += rest.length;
                return;
            }
            buf[size++] = (byte) c;
        }
    }

    private void appendAscii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[size++] = (byte) s.charAt(i);
        }
    }

    private void append(byte b) {
        ensure(1);
        buf[size++] = b;
    }

    /**
     * Room for {@code more} bytes in the current chunk: doubles a small first chunk up to 1 MB
     * (a small poll's 200 KB of lines must not hold a 1 MB array: hundreds of them wait in the
     * queue during an outage), then starts new ones.
     */
    private void ensure(int more) {
        if (size + more <= buf.length) {
            return;
        }
        if (buf.length < CHUNK && size + more <= CHUNK) {
            buf = Arrays.copyOf(buf, (int) Math.min(CHUNK, Math.max(2L * buf.length, size + more)));
            return;
        }
        full.add(Arrays.copyOf(buf, size));
        fullBytes += size;
        buf = new byte[Math.max(CHUNK, more)];
        size = 0;
    }

    public int lines() {
        return lines;
    }

    public String timestamp() {
        return timestamp;
    }

    /** The lines as text (tests and messages; the dispatchers use {@link #writeTo}). */
    public String text() {
        return new String(bytesForTests(), StandardCharsets.UTF_8);
    }

    private byte[] bytesForTests() {
        byte[] all = new byte[(int) byteCount()];
        int at = 0;
        for (byte[] chunk : full) {
            System.arraycopy(chunk, 0, all, at, chunk.length);
            at += chunk.length;
        }
        System.arraycopy(buf, 0, all, at, size);
        return all;
    }

    public long byteCount() {
        return fullBytes + size;
    }

    /** Heap the lines hold: the chunks' lengths, the last one's unused room included. */
    public long retainedBytes() {
        return fullBytes + buf.length;
    }

    /** Receives one line: its path's bytes and the whole line's, without the newline, each its own array. */
    public interface LineConsumer {
        void accept(byte[] path, byte[] line);
    }

    /** Every line, in order, as its own arrays (a line may span two chunks). */
    public void forEachLine(LineConsumer consumer) {
        byte[] line = new byte[256];
        int length = 0;
        int space = -1;
        List<byte[]> chunks = new ArrayList<>(full);
        chunks.add(Arrays.copyOf(buf, size));
        for (byte[] chunk : chunks) {
            for (byte b : chunk) {
                if (b == '\n') {
                    consumer.accept(Arrays.copyOf(line, space < 0 ? length : space), Arrays.copyOf(line, length));
                    length = 0;
                    space = -1;
                    continue;
                }
                if (b == ' ' && space < 0) {
                    space = length;
                }
                if (length == line.length) {
                    line = Arrays.copyOf(line, 2 * length);
                }
                line[length++] = b;
            }
        }
    }

    /**
     * A new batch of the same poll (timestamp, source) whose every line's path is
     * {@code rename.apply(path)}, values and timestamps byte for byte (a tagged copy for
     * {@code [graphite] format = tags}: SeriesMapping).
     */
    public MetricBatch withPaths(java.util.function.UnaryOperator<String> rename) {
        MetricBatch out = new MetricBatch(timestamp);
        out.source = source;
        forEachLine((path, line) -> {
            out.appendString(rename.apply(new String(path, StandardCharsets.UTF_8)));
            for (int i = path.length; i < line.length; i++) {
                out.append(line[i]);
            }
            out.append((byte) '\n');
            out.lines++;
        });
        return out;
    }

    /** Writes every line, in order, without copying them into one array. */
    public void writeTo(OutputStream out) throws IOException {
        for (byte[] chunk : full) {
            out.write(chunk);
        }
        out.write(buf, 0, size);
    }
}
