package io.haproxystats.pull;

import io.haproxystats.common.config.ConfigurationException;
import io.haproxystats.common.spool.Directories;
import io.haproxystats.common.spool.FileModes;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The puller's side of the directory contract ({@link io.haproxystats.common.spool.PollFiles}):
 * a poll is written under {@code tmp-dst-dir/<epoch>} and renamed into {@code dst-dir} in one
 * atomic step, or deleted; {@code dst-dir} never holds a partial poll.
 */
final class Spool {

    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);

    private final Path dstDir;
    private final Path tmpDir;

    Spool(Path dstDir, Path tmpDir) {
        this.dstDir = dstDir;
        this.tmpDir = tmpDir;
    }

    /**
     * Creates both directories if missing, removes stale polls left in the temporary directory by
     * an earlier crash (incomplete by definition), and checks both are on one file system, without
     * which the rename would not be atomic.
     */
    void prepare() throws IOException {
        FileModes.createDirectories(dstDir);
        FileModes.createDirectories(tmpDir);
        if (Directories.device(dstDir) != Directories.device(tmpDir)) {
            throw new ConfigurationException("[pull] tmp-dst-dir: " + tmpDir + " and dst-dir " + dstDir
                    + " are on different file systems; the move into dst-dir must be an atomic rename");
        }
        for (Path stale : Directories.subdirectories(tmpDir)) {
            LOG.warn("removing incomplete poll {} left by an earlier run", stale);
            Directories.deleteTree(stale);
        }
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

    /** Renames a complete poll into {@code dst-dir}; returns false (and deletes it) if the name is taken. */
    boolean commit(Path pollDir) throws IOException {
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
}
