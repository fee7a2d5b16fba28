package io.haproxystats.process;

import io.haproxystats.common.cli.StartupFailure;
import io.haproxystats.common.config.GraphiteSettings;
import io.haproxystats.common.config.ProcessConfig;
import io.haproxystats.common.time.Clock;
import io.haproxystats.process.compute.SeriesMapping;
import io.haproxystats.process.delivery.DeliveryPolicy;
import io.haproxystats.process.delivery.Dispatcher;
import io.haproxystats.process.delivery.Dispatchers;
import io.haproxystats.process.delivery.LocalStoreDispatcher;
import io.haproxystats.process.delivery.QueueingDispatcher;
import io.haproxystats.process.delivery.TaggingDispatcher;
import io.haproxystats.process.graphite.GraphiteConnection;
import io.haproxystats.process.kafka.KafkaLineSender;
import io.haproxystats.process.openmetrics.MetricsEndpoint;
import io.haproxystats.process.openmetrics.OpenMetricsDispatcher;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;

/**
 * The dispatchers the settings name, each policy handed its transport: {@code [local-store]}
 * (synchronous), Graphite and {@code [kafka-dispatch]} (each a {@link QueueingDispatcher} over its
 * sender). The roles receive them made; none builds a transport itself. With {@code [graphite]
 * format = tags} each of them is wrapped in a {@link TaggingDispatcher}: every line they send is a
 * Graphite 1.1 tagged series. With {@code [openmetrics] listen}, the endpoint is started here
 * (a port it cannot take fails the start, naming the option) and its dispatcher added last,
 * unwrapped: it reads the dotted paths.
 */
final class Outputs {

    private Outputs() {}

    /**
     * @param mayDrop whether the durable queue behind the dispatchers is full too, which allows
     *                the overflow rule to drop (local mode: src-dir at the puller's queue-size)
     * @param backlog where polls wait while a queue is full or down, for the log lines
     */
    static Dispatchers of(
            ProcessConfig config,
            ScheduledExecutorService timer,
            Clock clock,
            BooleanSupplier mayDrop,
            String backlog) {
        // The endpoint first: a port it cannot take stops the start before any sender exists.
        Optional<OpenMetricsDispatcher> openMetrics = Optional.empty();
        Optional<MetricsEndpoint> endpoint = Optional.empty();
        if (!config.openMetrics().listen().isEmpty()) {
            // Dotted batches: the snapshot reads the series from the paths with the same table.
            OpenMetricsDispatcher dispatcher =
                    new OpenMetricsDispatcher(new SeriesMapping(config.graphite()), config.openMetrics(), clock);
            try {
                endpoint = Optional.of(MetricsEndpoint.start(config.openMetrics(), dispatcher, clock));
            } catch (IOException e) {
                // The port taken, a TLS or password file unreadable: one line naming the option, exit 1.
                throw new StartupFailure(e.getMessage(), e);
            }
            openMetrics = Optional.of(dispatcher);
        }
        QueueingDispatcher graphite = new QueueingDispatcher(
                new GraphiteConnection(config.graphite(), timer, clock),
                DeliveryPolicy.of(config.graphite()),
                clock,
                mayDrop,
                backlog);
        List<Dispatcher> lines = new ArrayList<>();
        config.localStore().ifPresent(dir -> lines.add(new LocalStoreDispatcher(dir)));
        lines.add(graphite);
        config.kafka()
                .dispatchTopic()
                .ifPresent(topic -> lines.add(new QueueingDispatcher(
                        new KafkaLineSender(topic, KafkaLineSender.kafka(config.kafka())),
                        DeliveryPolicy.of(config.graphite()),
                        clock,
                        mayDrop,
                        backlog)));
        List<Dispatcher> all = new ArrayList<>();
        if (config.graphite().format() == GraphiteSettings.Format.TAGS) {
            TaggingDispatcher.Tagger tagger = new TaggingDispatcher.Tagger(new SeriesMapping(config.graphite()));
            lines.forEach(d -> all.add(new TaggingDispatcher(d, tagger)));
        } else {
            all.addAll(lines);
        }
        if (openMetrics.isEmpty()) {
            return new Dispatchers(graphite, all);
        }
        all.add(openMetrics.get());
        return new Dispatchers(graphite, all, List.of(endpoint.get()));
    }
}
