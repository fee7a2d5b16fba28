package io.haproxystats.process.delivery;

import io.haproxystats.common.spool.FileModes;
import io.haproxystats.process.compute.MetricBatch;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;

/**
 * {@code [local-store]}: each poll's complete lines in {@code <dir>/<timestamp>/stats} (a central
 * processor's, computed for many load balancers: {@code <dir>/<timestamp>/<load balancer>/stats},
 * since polls of one epoch from many load balancers are the normal case), written to a temporary
 * file and renamed, so a reader never sees half a file. (The original wrote each poll's
 * TotalWallClockTime line into the next poll's file; here a poll's file holds all its lines.)
 * Synchronous: the future is complete when {@link #submit} returns; a write error fails it and
 * the poll stays on disk.
 */
public final class LocalStoreDispatcher implements Dispatcher {

    private final Path dir;

    public LocalStoreDispatcher(Path dir) {
        this.dir = dir;
    }

    @Override
    public String name() {
        return "local-store " + dir;
    }

    @Override
    public CompletableFuture<Void> submit(MetricBatch batch) {
        try {
            Path epochDir = dir.resolve(batch.timestamp());
            Path pollDir =
                    FileModes.createDirectories(batch.source().isEmpty() ? epochDir : epochDir.resolve(batch.source()));
            Path tmp = pollDir.resolve(".stats.tmp");
            try (OutputStream out = FileModes.overwrite(tmp)) {
                batch.writeTo(out);
            }
            Files.move(
                    tmp, pollDir.resolve("stats"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return CompletableFuture.completedFuture(null);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new IOException(name() + ": " + e, e));
        }
    }
}
