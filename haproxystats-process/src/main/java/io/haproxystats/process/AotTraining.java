package io.haproxystats.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The launcher's AOT cache training (JDK 25+): a run started without a cache records one, which
 * the JVM writes when it exits, whatever the run did. Only a run that computed polls and stopped
 * cleanly makes a cache worth keeping; it says so by creating the marker file the launcher names
 * in {@code -Dhaproxystats.aot.trained=FILE}, and the launcher uses a cache only beside its marker
 * (a run stopped by a configuration error, or killed, trains again at the next start).
 */
final class AotTraining {

    private static final Logger LOG = LoggerFactory.getLogger(AotTraining.class);
    static final String MARKER_PROPERTY = "haproxystats.aot.trained";

    private AotTraining() {}

    /** Called at a clean stop after at least one poll was computed. */
    static void succeeded() {
        String marker = System.getProperty(MARKER_PROPERTY);
        if (marker == null || marker.isBlank()) {
            return;
        }
        try {
            Files.writeString(Path.of(marker), "trained by a clean run that processed polls\n");
            LOG.info("the JDK's AOT cache is written as the JVM exits; later starts use it");
        } catch (IOException e) {
            LOG.warn("cannot mark the AOT cache as trained ({}): the next start trains again", e.toString());
        }
    }
}
