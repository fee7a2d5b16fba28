package io.haproxystats.common.spool;

import io.haproxystats.common.cli.StartupFailure;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import jnr.constants.platform.Errno;
import jnr.constants.platform.OpenFlags;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * One daemon per spool directory: an exclusive {@code flock(2)} on a hidden file in the directory
 * ({@link #PULL} in dst-dir and tmp-dst-dir, {@link #PROCESS} in src-dir: the puller and the
 * processor share incoming/), held through a read-only descriptor. Two pullers on one spool
 * deleted each other's polls in progress and landed partial ones; two processors sent polls twice
 * with partial sums. The kernel drops the lock when the process ends, however it ends, so a stale
 * file never blocks a restart, and the file is left in place (deleting it would let a third
 * process lock a new file while a second holds the old one). Nothing is held open for writing, so
 * a spool's file system can still be remounted read-only (the JDK's FileChannel locks need a
 * writable file). The other owner's pid, for the message, comes from {@code /proc/locks}. Poll
 * directories are directories: both daemons ignore plain files in their spools.
 */
public final class SpoolLock implements Closeable {

    /** The puller's lock file, in dst-dir and in tmp-dst-dir. */
    public static final String PULL = ".haproxystats-pull.lock";
    /** The processor's lock file, in src-dir. */
    public static final String PROCESS = ".haproxystats-process.lock";

    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;
    /** Directories this JVM locked: flock locks are per open file, so a second lock here would fail. */
    private static final Set<String> HELD = ConcurrentHashMap.newKeySet();

    private final POSIX posix;
    private final int fd;
    private final String key;

    private SpoolLock(POSIX posix, int fd, String key) {
        this.posix = posix;
        this.fd = fd;
        this.key = key;
    }

    /**
     * Locks {@code dir/name} for this process (creating the file, mode 0644, if missing).
     *
     * @param what names the directory in the message, e.g. {@code "[pull] dst-dir"}
     * @throws StartupFailure naming the directory and the other owner's pid when it is taken
     * @throws IOException    when the file cannot be created, opened or locked for another reason
     */
    public static SpoolLock acquire(Path dir, String name, String what) throws IOException {
        Path file = dir.resolve(name);
        POSIX posix = POSIXFactory.getNativePOSIX();
        int fd = posix.open(file.toString(), OpenFlags.O_RDONLY.intValue() | OpenFlags.O_CREAT.intValue(), 0644);
        if (fd < 0) {
            throw new IOException("cannot open " + file + ": " + posix.strerror(posix.errno()));
        }
        String key = Files.getAttribute(file, "unix:dev") + ":" + Files.getAttribute(file, "unix:ino");
        if (!HELD.add(key)) {
            posix.close(fd);
            return new SpoolLock(
                    null, -1, null); // this process holds it (tests build several spools over one directory)
        }
        if (posix.flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int errno = posix.errno();
            posix.close(fd);
            HELD.remove(key);
            if (errno == Errno.EWOULDBLOCK.intValue()) {
                throw new StartupFailure(what + " " + dir + " is in use by another instance (pid " + owner(file)
                        + ", lock file " + file + "); run one instance per spool directory");
            }
            throw new IOException("cannot lock " + file + ": " + posix.strerror(errno));
        }
        return new SpoolLock(posix, fd, key);
    }

    /** The pid holding a flock on {@code file}, from {@code /proc/locks}; "unknown" elsewhere. */
    static String owner(Path file) {
        try {
            long dev = ((Number) Files.getAttribute(file, "unix:dev")).longValue();
            long ino = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
            // Linux encodes dev as major << 8 | minor for small numbers (new_encode_dev in general).
            long major = (dev >>> 8) & 0xfff;
            long minor = (dev & 0xff) | ((dev >>> 12) & 0xfff00);
            String device = String.format("%02x:%02x:%d", major, minor, ino);
            for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
                String[] f = line.trim().split("\\s+");
                // "1: FLOCK  ADVISORY  WRITE 12345 00:2a:123456 0 EOF"
                if (f.length >= 6 && f[1].equals("FLOCK") && f[5].equals(device)) {
                    return f[4];
                }
            }
        } catch (IOException | RuntimeException e) {
            // No /proc: the message says unknown.
        }
        return "unknown";
    }

    @Override
    public void close() {
        if (key == null) {
            return;
        }
        posix.close(fd); // closing the last descriptor releases the flock
        HELD.remove(key);
    }
}
