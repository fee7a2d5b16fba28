package io.haproxystats.process.cluster;

import com.github.luben.zstd.Zstd;
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
        return StoreCodec.encode(VERSION, out -> {
            out.writeLong(late);
            out.writeLong(future);
            out.writeLong(revisions);
            out.writeInt(revision);
            StoreCodec.writeLongs(out, members);
            out.writeInt(expected.size());
            for (String lb : expected) {
                out.writeUTF(lb);
            }
            byte[] z = Zstd.compress(aggregate, 1);
            out.writeInt(aggregate.length);
            out.writeInt(z.length);
            out.write(z);
        });
    }

    static ClosedWindow decode(byte[] b) {
        return StoreCodec.decode(b, VERSION, "closed window", in -> {
            ClosedWindow w = new ClosedWindow();
            w.late = in.readLong();
            w.future = in.readLong();
            w.revisions = in.readLong();
            w.revision = in.readInt();
            StoreCodec.readLongs(in, w.members);
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                w.expected.add(in.readUTF());
            }
            int size = in.readInt();
            byte[] z = new byte[in.readInt()];
            in.readFully(z);
            w.aggregate = Zstd.decompress(z, size);
            return w;
        });
    }
}
