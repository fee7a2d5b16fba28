package io.haproxystats.pull.logs;

import io.haproxystats.common.config.LogsSettings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.OptionalInt;
import jnr.unixsocket.UnixDatagramChannel;
import jnr.unixsocket.UnixSocketAddress;
import jnr.unixsocket.UnixSocketOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UNIX datagram socket file created by the puller ({@code unix:/path}), through jnr-unixsocket:
 * the JDK's NIO has UNIX-domain stream sockets only (JDK 21 to 25), no datagram ones. Created
 * {@code rw-rw----} with the group of its directory, so HAProxy can write to it when that
 * directory's group is HAProxy's. A stale socket file at the path (an earlier run's) is replaced;
 * any other file there is an error. A socket file removed while the puller runs is re-created
 * within a second; one replaced by another file is left alone and said once.
 *
 * <p>Drops: Linux never drops a datagram on a UNIX socket. When the receive queue is full the
 * sender is refused ({@code EAGAIN}), and HAProxy counts that in its own {@code DroppedLogs}
 * ({@code show info}, in every poll's {@code _info} files). The kernel keeps no counter for the
 * receiver to read ({@code /proc/net/unix} has none; {@code SO_RXQ_OVFL} is for other families
 * and not in Java), so {@link #drops()} says -1.
 */
final class UnixLogSocket implements LogSocket {

    private static final Logger LOG = LoggerFactory.getLogger(UnixLogSocket.class);
    /** How long one receive blocks before the thread checks the socket file and the stop flag. */
    static final int WAKE_MILLIS = 1000;

    private final LogsSettings.Listen.Unix listen;
    private final OptionalInt rcvbuf;
    private volatile UnixDatagramChannel channel;
    private Object fileKey;
    private boolean replacedSaid;
    private boolean recreateFailedSaid;
    private volatile boolean closed;

    UnixLogSocket(LogsSettings.Listen.Unix listen, OptionalInt rcvbuf) throws IOException {
        this.listen = listen;
        this.rcvbuf = rcvbuf;
        Path path = listen.path();
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (!isSocket(path)) {
                throw new IOException(path + " exists and is not a socket; remove it or choose another path");
            }
            Files.delete(path); // an earlier run's socket file
        }
        bind();
    }

    private static boolean isSocket(Path path) throws IOException {
        return !Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)
                && !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)
                && !Files.isSymbolicLink(path)
                && "socket".equals(fileType(path));
    }

    /** "socket" for a socket file (from the mode bits S_IFSOCK). */
    private static String fileType(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & 0170000) == 0140000 ? "socket" : "other";
    }

    private void bind() throws IOException {
        Path path = listen.path();
        UnixDatagramChannel ch = UnixDatagramChannel.open();
        try {
            if (rcvbuf.isPresent()) {
                ch.setOption(UnixSocketOptions.SO_RCVBUF, rcvbuf.getAsInt());
            }
            ch.setOption(UnixSocketOptions.SO_RCVTIMEO, WAKE_MILLIS);
            ch.bind(new UnixSocketAddress(path.toFile()));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
            Path dir = path.toAbsolutePath().getParent();
            if (dir != null) {
                GroupPrincipal group = Files.readAttributes(dir, java.nio.file.attribute.PosixFileAttributes.class)
                        .group();
                try {
                    Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                            .setGroup(group);
                } catch (IOException e) {
                    LOG.warn(
                            "[logs] {}: cannot give the socket its directory's group {} ({}); HAProxy may not be able to write to it",
                            listen,
                            group.getName(),
                            e.toString());
                }
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        channel = ch;
        fileKey = Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS);
    }

    /** The receive buffer the kernel granted. */
    int receiveBuffer() throws IOException {
        return channel.getOption(UnixSocketOptions.SO_RCVBUF);
    }

    @Override
    public int receive(ByteBuffer buffer) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        buffer.clear();
        UnixDatagramChannel ch = channel;
        try {
            ch.receive(buffer);
        } catch (IOException e) {
            if (closed) {
                throw new ClosedChannelException();
            }
            return -1; // SO_RCVTIMEO passed (EAGAIN): nothing came
        }
        if (closed) {
            throw new ClosedChannelException();
        }
        return buffer.position();
    }

    @Override
    public long drops() {
        return -1;
    }

    @Override
    public void check() {
        Path path = listen.path();
        Object now;
        try {
            now = Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            now = null;
        } catch (IOException e) {
            return; // cannot tell; the next check tries again
        }
        if (fileKey.equals(now)) {
            return;
        }
        if (now != null) {
            if (!replacedSaid) {
                LOG.error(
                        "[logs] {} was replaced by another file while haproxystats-pull runs; nothing is received"
                                + " there until that file is removed (then the socket is re-created)",
                        listen);
                replacedSaid = true;
            }
            return;
        }
        try {
            UnixDatagramChannel old = channel;
            bind();
            old.close();
            replacedSaid = false;
            recreateFailedSaid = false;
            LOG.warn("[logs] {} was removed while haproxystats-pull runs; re-created it", listen);
        } catch (IOException e) {
            if (!recreateFailedSaid) {
                LOG.error(
                        "[logs] {} was removed and cannot be re-created (tried every second): {}",
                        listen,
                        e.toString());
                recreateFailedSaid = true;
            }
        }
    }

    @Override
    public String describe() {
        return listen.toString();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        channel.close();
        try {
            if (fileKey.equals(Files.getAttribute(listen.path(), "unix:ino", LinkOption.NOFOLLOW_LINKS))) {
                Files.deleteIfExists(listen.path());
            }
        } catch (IOException e) {
            // already gone
        }
    }
}
