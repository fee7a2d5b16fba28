package io.haproxystats.process.graphite;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.Out;
import jnr.ffi.byref.IntByReference;

/**
 * The bytes of one TCP connection that its peer's kernel has not acknowledged yet: Linux's
 * {@code ioctl(SIOCOUTQ)} on the socket, through jnr-ffi. What a Graphite plaintext peer can be
 * said to have taken is what its TCP acknowledged; what still sits in our send queue was not
 * delivered, however successful the write (a relay that stopped reading leaves it there).
 *
 * <p>The JDK does not give a socket's file descriptor, so it is found once per connection: among
 * this process's descriptors ({@code /proc/self/fd}) the socket whose local and peer addresses are
 * the connection's ({@code getsockname}, {@code getpeername}). The number is only used while the
 * connection is open; a caller checks the socket is still open after each reading, so that a
 * descriptor closed and reused by another thread meanwhile is never read as this connection's.
 */
public final class UnackedBytes {

    /** {@code SIOCOUTQ} (= {@code TIOCOUTQ}) on Linux: bytes in the send queue not yet acknowledged. */
    private static final long SIOCOUTQ = 0x5411;

    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;

    /** The C library's calls used here; jnr-ffi binds them. */
    public interface LibC {
        int getsockname(int fd, @Out byte[] address, IntByReference length);

        int getpeername(int fd, @Out byte[] address, IntByReference length);

        int ioctl(int fd, long request, IntByReference value);
    }

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    }

    private final int fd;

    private UnackedBytes(int fd) {
        this.fd = fd;
    }

    /**
     * The reader for a connected socket.
     *
     * @throws IOException not Linux, the C library cannot be bound, or no descriptor of this
     *                     process is that connection: the reason
     */
    static UnackedBytes of(Socket socket) throws IOException {
        if (!System.getProperty("os.name", "").equals("Linux")) {
            throw new IOException("SIOCOUTQ is read on Linux only, this is " + System.getProperty("os.name"));
        }
        LibC libc;
        try {
            libc = Holder.LIBC;
        } catch (LinkageError | RuntimeException e) {
            throw new IOException("cannot bind the C library through jnr-ffi: " + e, e);
        }
        List<Path> fds;
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            fds = s.toList();
        }
        for (Path p : fds) {
            int fd;
            try {
                if (!Files.readSymbolicLink(p).toString().startsWith("socket:")) {
                    continue;
                }
                fd = Integer.parseInt(p.getFileName().toString());
            } catch (IOException | NumberFormatException e) {
                continue; // closed meanwhile, or not a descriptor
            }
            if (matches(libc, fd, socket)) {
                UnackedBytes u = new UnackedBytes(fd);
                u.read(); // fails here, once, if the call does not work on this system
                return u;
            }
        }
        throw new IOException("no descriptor of this process is the connection " + socket.getLocalSocketAddress()
                + " -> " + socket.getRemoteSocketAddress());
    }

    /** Bytes written on the connection that the peer's TCP has not acknowledged. */
    int read() throws IOException {
        IntByReference value = new IntByReference();
        if (Holder.LIBC.ioctl(fd, SIOCOUTQ, value) != 0) {
            throw new IOException("ioctl(SIOCOUTQ) failed on descriptor " + fd);
        }
        return value.getValue();
    }

    private static boolean matches(LibC libc, int fd, Socket socket) {
        byte[] local = new byte[128];
        byte[] peer = new byte[128];
        IntByReference localLength = new IntByReference(local.length);
        IntByReference peerLength = new IntByReference(peer.length);
        if (libc.getsockname(fd, local, localLength) != 0 || libc.getpeername(fd, peer, peerLength) != 0) {
            return false; // not a connected socket
        }
        return port(local) == socket.getLocalPort()
                && port(peer) == socket.getPort()
                && sameAddress(peer, socket.getInetAddress())
                && sameAddress(local, socket.getLocalAddress());
    }

    /** The port of a {@code sockaddr_in} or {@code sockaddr_in6}, -1 for another family. */
    private static int port(byte[] sockaddr) {
        int family = family(sockaddr);
        return family == AF_INET || family == AF_INET6 ? (sockaddr[2] & 0xff) << 8 | sockaddr[3] & 0xff : -1;
    }

    /** The family, a native-endian short (little-endian on the platforms jnr-ffi serves here). */
    private static int family(byte[] sockaddr) {
        return ByteBuffer.wrap(sockaddr, 0, 2).order(ByteOrder.nativeOrder()).getShort();
    }

    /** The address of a sockaddr against a Java address; an IPv4 address matches its IPv6-mapped form. */
    private static boolean sameAddress(byte[] sockaddr, InetAddress address) {
        byte[] want = address.getAddress();
        byte[] have =
                switch (family(sockaddr)) {
                    case AF_INET -> Arrays.copyOfRange(sockaddr, 4, 8);
                    case AF_INET6 -> Arrays.copyOfRange(sockaddr, 8, 24);
                    default -> new byte[0];
                };
        if (have.length == 16 && want.length == 4 && isV4Mapped(have)) {
            have = Arrays.copyOfRange(have, 12, 16);
        }
        if (want.length == 16 && have.length == 4 && isV4Mapped(want)) {
            want = Arrays.copyOfRange(want, 12, 16);
        }
        return Arrays.equals(have, want);
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }
}
