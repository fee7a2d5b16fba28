package io.haproxystats.process.local;

import io.haproxystats.common.config.ProcessConfig;
import io.haproxystats.common.config.ProcessSettings;
import io.haproxystats.common.config.WorldWritable;
import io.haproxystats.common.time.Clock;
import io.haproxystats.process.compute.Hostname;
import io.haproxystats.process.compute.MetricPaths;
import io.haproxystats.process.compute.PollComputation;
import io.haproxystats.process.delivery.Dispatchers;
import io.haproxystats.process.delivery.FanOut;
import io.haproxystats.process.spool.Quarantine;
import io.haproxystats.process.spool.SourceDir;
import io.haproxystats.process.status.Destination;
import io.haproxystats.process.status.Intake;
import io.haproxystats.process.status.Progress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Local mode, the original's processor: src-dir's polls computed here by the workers, lines to every dispatcher. */
public final class LocalIntake implements Intake {

    private static final Logger LOG = LoggerFactory.getLogger(LocalIntake.class);

    private final ProcessSettings settings;
    private final SourceDir source;
    private final Workers workers;
    private final PollHandler handler;
    private final Dispatchers dispatchers;

    private LocalIntake(
            ProcessSettings settings, SourceDir source, Workers workers, PollHandler handler, Dispatchers dispatchers) {
        this.settings = settings;
        this.source = source;
        this.workers = workers;
        this.handler = handler;
        this.dispatchers = dispatchers;
    }

    /**
     * Locks and watches src-dir (a second processor stops here, before any work), then starts the
     * workers.
     *
     * @param finisher runs the deletes and moves once batches are delivered
     */
    public static LocalIntake start(
            ProcessConfig config,
            Dispatchers dispatchers,
            Quarantine quarantine,
            ScheduledExecutorService timer,
            Executor finisher,
            Clock clock)
            throws IOException {
        ProcessSettings settings = config.process();
        MetricPaths paths = new MetricPaths(config.graphite(), Hostname.local());
        List<Path> excludeFiles = new ArrayList<>();
        settings.excludeFrontends().ifPresent(excludeFiles::add);
        settings.excludeBackends().ifPresent(excludeFiles::add);
        WorldWritable.warnings(excludeFiles).forEach(LOG::warn);
        PollHandler handler = new PollHandler(
                new PollReader(settings.excludeFrontends(), settings.excludeBackends(), config.maxFileBytes()),
                new PollComputation(settings, paths, clock),
                new FanOut(
                        dispatchers.all(), "polls stay in src-dir and are retried for it alone every [graphite] delay"),
                quarantine,
                finisher);
        SourceDir source = SourceDir.open(settings.srcDir(), clock);
        Workers workers = new Workers(
                settings.srcDir(),
                source.queue(),
                handler,
                timer,
                config.graphite().delay(),
                clock);
        workers.start(settings.workers());
        return new LocalIntake(settings, source, workers, handler, dispatchers);
    }

    @Override
    public String description() {
        return "watching " + settings.srcDir() + " with " + settings.workers() + " workers";
    }

    @Override
    public Progress progress() {
        return workers;
    }

    @Override
    public Destination destination() {
        return dispatchers.graphite();
    }

    @Override
    public String dead() {
        String dead = !workers.allAlive() ? "a worker died" : dispatchers.deadSender();
        return dead != null ? dead : source.dead();
    }

    @Override
    public void stop() throws InterruptedException, IOException {
        source.close();
        workers.stop();
        dispatchers.stopWaiting(); // a worker blocked on a full queue gives its poll back
        workers.join();
        dispatchers.close(STOP_DRAIN);
    }

    @Override
    public long computed() {
        return handler.computed();
    }
}
