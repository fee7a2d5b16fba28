package io.haproxystats.process.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The bytes of what the windows' store keeps (a cluster's state, a closed window, a running
 * aggregate): versioned, written and read with Java's data streams, an unknown version refused.
 */
final class StoreCodec {

    private StoreCodec() {}

    interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    /** {@code version}, then what {@code writer} writes. */
    static byte[] encode(int version, Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(version);
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** What {@link #encode} wrote, read by {@code reader} once the version is {@code version}; {@code what} names it in the error. */
    static <T> T decode(byte[] b, int version, String what, Reader<T> reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
            int found = in.readByte();
            if (found != version) {
                throw new IllegalStateException(what + " of version " + found + ", this processor reads " + version);
            }
            return reader.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void writeLongs(DataOutputStream out, Map<String, Long> map) throws IOException {
        out.writeInt(map.size());
        for (Map.Entry<String, Long> e : map.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue());
        }
    }

    static void readLongs(DataInputStream in, Map<String, Long> into) throws IOException {
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            into.put(in.readUTF(), in.readLong());
        }
    }
}
