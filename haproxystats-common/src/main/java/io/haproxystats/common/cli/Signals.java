package io.haproxystats.common.cli;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM and SIGHUP as a clean-stop request. With its own handlers the JVM does not start its
 * shutdown on these signals, so the daemon finishes in order and exits 0 (the original's
 * behaviour); SIGINT keeps the JVM's default. Uses {@code sun.misc.Signal} (module
 * jdk.unsupported), the only way in the JDK to handle a signal without exiting with 128+n.
 */
@SuppressWarnings("removal")
public final class Signals {

    private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

    private final CountDownLatch stop = new CountDownLatch(1);

    /** Installs handlers for TERM and HUP that release {@link #awaitStop()}. */
    public static Signals install(Runnable onSignal) {
        Signals signals = new Signals();
        for (String name : new String[] {"TERM", "HUP"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                LOG.info("received SIG{}, stopping", sig.getName());
                onSignal.run();
                signals.stop.countDown();
            });
        }
        return signals;
    }

    /** Releases {@link #awaitStop()} as a signal would (the daemon decided to stop by itself). */
    public void stop() {
        stop.countDown();
    }

    public void awaitStop() throws InterruptedException {
        stop.await();
    }
}
