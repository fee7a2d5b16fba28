package io.haproxystats.pull;

import io.haproxystats.common.config.ConfigurationException;
import io.haproxystats.common.spool.Directories;
import io.haproxystats.common.spool.FileModes;
import io.haproxystats.common.spool.SpoolLock;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The puller's side of the directory contract ({@link io.haproxystats.common.spool.PollFiles}):
 * a poll is written under {@code tmp-dst-dir/<epoch>} and renamed into {@code dst-dir} in one
 * atomic step, or deleted; {@code dst-dir} never holds a partial poll. Both directories are
 * locked for this process ({@link SpoolLock}); one removed while the puller runs is recreated
 * (and locked again) before the next poll.
 */
final class Spool implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);

    private final Path dstDir;
    private final Path tmpDir;
    private final List<SpoolLock> locks = new ArrayList<>();

    Spool(Path dstDir, Path tmpDir) {
        this.dstDir = dstDir;
        this.tmpDir = tmpDir;
    }

    /**
     * Creates both directories if missing, checks they are two separate directories on one file
     * system (the move into dst-dir must be an atomic rename, and the start-up cleanup of
     * tmp-dst-dir must never reach a waiting poll), locks both, then removes stale polls left in
     * the temporary directory by an earlier run (incomplete by definition).
     */
    void prepare() throws IOException {
        FileModes.createDirectories(dstDir);
        FileModes.createDirectories(tmpDir);
        Path dstReal = dstDir.toRealPath();
        Path tmpReal = tmpDir.toRealPath();
        if (dstReal.startsWith(tmpReal) || tmpReal.startsWith(dstReal)) {
            throw new ConfigurationException("[pull] tmp-dst-dir: " + tmpDir + " and dst-dir " + dstDir
                    + (dstReal.equals(tmpReal) ? " are the same directory" : " are inside one another")
                    + " (real paths " + tmpReal + ", " + dstReal + "); they must be two separate directories");
        }
        if (Directories.device(dstDir) != Directories.device(tmpDir)) {
            throw new ConfigurationException("[pull] tmp-dst-dir: " + tmpDir + " and dst-dir " + dstDir
                    + " are on different file systems; the move into dst-dir must be an atomic rename");
        }
        locks.add(SpoolLock.acquire(dstDir, SpoolLock.PULL, "[pull] dst-dir"));
        locks.add(SpoolLock.acquire(tmpDir, SpoolLock.PULL, "[pull] tmp-dst-dir"));
        for (Path stale : Directories.subdirectories(tmpDir)) {
            LOG.warn("removing incomplete poll {} left by an earlier run", stale);
            Directories.deleteTree(stale);
        }
    }

    /**
     * Recreates (with its mode, and locks again) a directory removed while the puller runs, saying
     * so once; without it every later poll would fail.
     *
     * @throws io.haproxystats.common.cli.StartupFailure when another instance locked the new directory
     */
    void ensureDirectories() throws IOException {
        recreate(dstDir, "[pull] dst-dir");
        recreate(tmpDir, "[pull] tmp-dst-dir");
    }

    private void recreate(Path dir, String what) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        LOG.warn("{} {} was removed while haproxystats-pull runs; recreating it", what, dir);
        FileModes.createDirectories(dir);
        locks.add(SpoolLock.acquire(dir, SpoolLock.PULL, what));
    }

    /** Number of polls waiting in {@code dst-dir} for the processor. */
    int queued() throws IOException {
        return Directories.countSubdirectories(dstDir);
    }

    /** An empty temporary directory for the poll named {@code epoch}; a reused name is emptied first. */
    Path begin(long epoch) throws IOException {
        Path dir = tmpDir.resolve(Long.toString(epoch));
        Directories.deleteTree(dir);
        FileModes.createDirectory(dir);
        return dir;
    }

    /**
     * Renames a complete poll into {@code dst-dir}; returns false (and deletes it) if the name is
     * taken.
     *
     * @param written the names of the files this poll wrote: all must still be there, or the poll
     *                is not landed (something else touched tmp-dst-dir)
     * @throws IOException when a file is missing or the move fails; the caller discards the poll
     */
    boolean commit(Path pollDir, Collection<String> written) throws IOException {
        for (String name : written) {
            if (!Files.isRegularFile(pollDir.resolve(name))) {
                throw new IOException("the answer file " + name + " vanished from " + pollDir
                        + " (is something else using tmp-dst-dir?)");
            }
        }
        Path target = dstDir.resolve(pollDir.getFileName());
        try {
            Files.move(pollDir, target, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            LOG.error("poll {} discarded: {} already exists (two polls in one second?)", pollDir.getFileName(), target);
            discard(pollDir);
            return false;
        }
    }

    void discard(Path pollDir) {
        try {
            Directories.deleteTree(pollDir);
        } catch (IOException e) {
            LOG.error("cannot remove incomplete poll {}: {}", pollDir, e.toString());
        }
    }

    @Override
    public void close() throws IOException {
        for (SpoolLock lock : locks) {
            lock.close();
        }
    }
}
