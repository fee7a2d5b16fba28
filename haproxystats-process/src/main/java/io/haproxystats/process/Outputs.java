package io.haproxystats.process;

import io.haproxystats.common.config.ProcessConfig;
import io.haproxystats.common.time.Clock;
import io.haproxystats.process.delivery.DeliveryPolicy;
import io.haproxystats.process.delivery.Dispatcher;
import io.haproxystats.process.delivery.Dispatchers;
import io.haproxystats.process.delivery.LocalStoreDispatcher;
import io.haproxystats.process.delivery.QueueingDispatcher;
import io.haproxystats.process.graphite.GraphiteConnection;
import io.haproxystats.process.kafka.KafkaLineSender;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;

/**
 * The dispatchers the settings name, each policy handed its transport: {@code [local-store]}
 * (synchronous), Graphite and {@code [kafka-dispatch]} (each a {@link QueueingDispatcher} over its
 * sender). The roles receive them made; none builds a transport itself.
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
        QueueingDispatcher graphite = new QueueingDispatcher(
                new GraphiteConnection(config.graphite(), timer, clock),
                DeliveryPolicy.of(config.graphite()),
                clock,
                mayDrop,
                backlog);
        List<Dispatcher> all = new ArrayList<>();
        config.localStore().ifPresent(dir -> all.add(new LocalStoreDispatcher(dir)));
        all.add(graphite);
        config.kafka()
                .dispatchTopic()
                .ifPresent(topic -> all.add(new QueueingDispatcher(
                        new KafkaLineSender(topic, KafkaLineSender.kafka(config.kafka())),
                        DeliveryPolicy.of(config.graphite()),
                        clock,
                        mayDrop,
                        backlog)));
        return new Dispatchers(graphite, all);
    }
}
