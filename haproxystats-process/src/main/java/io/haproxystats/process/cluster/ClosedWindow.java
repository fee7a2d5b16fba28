package io.haproxystats.process.cluster;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A closed window as kept while it may still be revised ({@code c/<cluster>/<start>}): its members
 * (load balancer to the poll epoch that counted), the load balancers it expected, the self
 * metrics its lines carried (so a revision writes them again unchanged), its revision number, and
 * its running aggregate (zstd-compressed), not the members' values.
 */
final class ClosedWindow {

    private static final int VERSION = 1;

    final Map<String, Long> members = new TreeMap<>();
    final Set<String> expected = new TreeSet<>();
    long late;
    long future;
    /** RevisedWindows as the window's first lines said it. */
    long revisions;
    /** This window's own revision: 0 when first closed. */
    int revision;
    /** {@link ClusterAggregate#encode()}. */
    byte[] aggregate = new byte[0];

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeLong(late);
            out.writeLong(future);
            out.writeLong(revisions);
            out.writeInt(revision);
            out.writeInt(members.size());
            for (Map.Entry<String, Long> e : members.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeLong(e.getValue());
            }
            out.writeInt(expected.size());
            for (String lb : expected) {
                out.writeUTF(lb);
            }
            byte[] z = Zstd.compress(aggregate, 1);
            out.writeInt(aggregate.length);
            out.writeInt(z.length);
            out.write(z);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static ClosedWindow decode(byte[] b) {
        ClosedWindow w = new ClosedWindow();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
            int version = in.readByte();
            if (version != VERSION) {
                throw new IllegalStateException(
                        "closed window of version " + version + ", this processor reads " + VERSION);
            }
            w.late = in.readLong();
            w.future = in.readLong();
            w.revisions = in.readLong();
            w.revision = in.readInt();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                w.members.put(in.readUTF(), in.readLong());
            }
            n = in.readInt();
            for (int i = 0; i < n; i++) {
                w.expected.add(in.readUTF());
            }
            int size = in.readInt();
            byte[] z = new byte[in.readInt()];
            in.readFully(z);
            w.aggregate = Zstd.decompress(z, size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w;
    }
}
