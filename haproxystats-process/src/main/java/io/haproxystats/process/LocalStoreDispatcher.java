package io.haproxystats.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * {@code [local-store]}: each poll's complete lines in {@code <dir>/<timestamp>/stats}, written to a
 * temporary file and renamed, so a reader never sees half a file. (The original wrote each poll's
 * TotalWallClockTime line into the next poll's file; here a poll's file holds all its lines.)
 */
final class LocalStoreDispatcher implements Dispatcher {

    private final Path dir;

    LocalStoreDispatcher(Path dir) {
        this.dir = dir;
    }

    @Override
    public String name() {
        return "local-store " + dir;
    }

    @Override
    public void send(MetricBatch batch) throws IOException {
        Path pollDir = Files.createDirectories(dir.resolve(batch.timestamp()));
        Path tmp = pollDir.resolve(".stats.tmp");
        Files.write(tmp, batch.bytes());
        Files.move(tmp, pollDir.resolve("stats"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void close() {
    }
}
