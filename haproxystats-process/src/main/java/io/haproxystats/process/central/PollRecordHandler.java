package io.haproxystats.process.central;

import static io.haproxystats.process.kafka.Records.where;

import io.haproxystats.common.config.ClusterSettings;
import io.haproxystats.common.config.GraphiteSettings;
import io.haproxystats.common.config.ProcessSettings;
import io.haproxystats.common.haproxy.ServersStateAnswer;
import io.haproxystats.common.spool.PollFiles;
import io.haproxystats.common.time.Clock;
import io.haproxystats.process.compute.MetricBatch;
import io.haproxystats.process.compute.MetricPaths;
import io.haproxystats.process.compute.PollBudget;
import io.haproxystats.process.compute.PollComputation;
import io.haproxystats.process.delivery.FanOut;
import io.haproxystats.process.kafka.ClusterValues;
import io.haproxystats.process.kafka.ContainerBuffers;
import io.haproxystats.process.kafka.FleetRecord;
import io.haproxystats.process.kafka.KafkaPollSource;
import io.haproxystats.process.kafka.PollContainer;
import io.haproxystats.process.kafka.PollRecord;
import io.haproxystats.process.kafka.Records;
import io.haproxystats.process.spool.ExcludeLists;
import io.haproxystats.process.spool.Quarantine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One record of the polls topic, on a central processor: checked, decoded, computed with exactly
 * the code and options of local mode (the metric paths carry the record's key, the load balancer's
 * name, where local mode puts this machine's), and submitted to every dispatcher. The future
 * completes normally once every dispatcher delivered the lines (or dropped them under its overflow
 * rule), exceptionally when the record must be fetched again. A record that is not a poll (no
 * key, an unknown format, a malformed container, a poll name that is not a time) never blocks its
 * partition: it is kept in quarantine-dir with the reason and counts as done. A poll whose files
 * do not all parse is handled as in local mode: its valid files' lines are sent, and its files are
 * kept in quarantine.
 */
public final class PollRecordHandler implements KafkaPollSource.RecordHandler {

    private static final Logger LOG = LoggerFactory.getLogger(PollRecordHandler.class);
    /** The largest container decompressed: half the heap (a record announcing more is refused unread). */
    private static final long MAX_CONTAINER =
            Math.min(Integer.MAX_VALUE - 16, Runtime.getRuntime().maxMemory() / 2);
    /** The most distinct load balancers whose paths are kept built; beyond it they are built per poll. */
    private static final int MAX_CACHED_HOSTS = 10_000;

    private final ProcessSettings settings;
    private final GraphiteSettings graphite;
    private final FanOut fanOut;
    private final Quarantine quarantine;
    private final long maxFileBytes;
    private final Clock clock;
    private final ClusterSettings cluster;
    /** The values and servers-state publisher, or null (tests of the computation alone). */
    private final CentralPublisher publisher;

    private final Map<String, PollComputation> computations = new ConcurrentHashMap<>();
    /** Each load balancer's last poll as it came ({@link #warnIfTwoSources}), bounded as the computations. */
    private final Map<String, LastPoll> lastPolls = new ConcurrentHashMap<>();
    /** Load balancers already said to come from two sources (said once each). */
    private final Set<String> twoSources = ConcurrentHashMap.newKeySet();
    /** Load balancers already said to have no cluster (said once each). */
    private final Set<String> unclustered = ConcurrentHashMap.newKeySet();
    /** One large poll decompressed and computed at a time, whatever the number of consumers, as in local mode. */
    private final PollBudget budget = new PollBudget();
    /** Containers are decompressed into arrays kept between records: up to an eighth of the heap. */
    private final ContainerBuffers buffers =
            new ContainerBuffers(Runtime.getRuntime().maxMemory() / 8);

    public PollRecordHandler(
            ProcessSettings settings,
            GraphiteSettings graphite,
            FanOut fanOut,
            Quarantine quarantine,
            long maxFileBytes,
            Clock clock,
            ClusterSettings cluster,
            CentralPublisher publisher) {
        this.settings = settings;
        this.cluster = cluster;
        this.publisher = publisher;
        this.graphite = graphite;
        this.fanOut = fanOut;
        this.quarantine = quarantine;
        this.maxFileBytes = maxFileBytes;
        this.clock = clock;
    }

    @Override
    public CompletableFuture<Void> handle(ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
        try {
            PollRecord poll = PollRecord.read(record);
            return budget.admit(poll.size(), () -> computeAndSubmit(record, poll));
        } catch (PollRecord.RefusedException e) {
            return refuse(record, e.getMessage());
        } catch (RuntimeException e) {
            // A bug must neither lose the poll nor stop the partition on it at every restart: the
            // record is kept with the reason, and the partition goes on.
            LOG.error("{}: failed unexpectedly", where(record), e);
            return refuse(record, "failed unexpectedly (a bug; the stack trace is in the log): " + e);
        }
    }

    /** Decompresses, computes and submits a checked record; the future as {@link #handle}'s. */
    private CompletableFuture<Void> computeAndSubmit(ConsumerRecord<byte[], byte[]> record, PollRecord poll)
            throws InterruptedException {
        try {
            PollContainer.checkSize(record.value(), poll.size(), MAX_CONTAINER);
        } catch (PollContainer.MalformedException e) {
            return refuse(record, e.getMessage());
        }
        byte[] buffer = buffers.borrow((int) poll.size());
        try {
            return computeAndSubmit(record, poll, buffer);
        } finally {
            buffers.release(buffer); // nothing computed or kept refers to it once this returns
        }
    }

    /** {@link #computeAndSubmit(ConsumerRecord, PollRecord)} with the array to decompress into. */
    private CompletableFuture<Void> computeAndSubmit(
            ConsumerRecord<byte[], byte[]> record, PollRecord poll, byte[] buffer) throws InterruptedException {
        String where = where(record);
        String lb = poll.lb();
        SortedMap<String, PollContainer.Slice> files;
        try {
            files = PollContainer.decodeCompressed(record.value(), poll.size(), MAX_CONTAINER, buffer);
        } catch (PollContainer.MalformedException e) {
            return refuse(record, e.getMessage());
        }
        warnIfTwoSources(record, lb, poll.poll());
        List<Long> sizes = new ArrayList<>();
        SortedMap<String, PollComputation.Source> sources = new TreeMap<>();
        for (Map.Entry<String, PollContainer.Slice> f : files.entrySet()) {
            PollContainer.Slice slice = f.getValue();
            sizes.add((long) slice.length());
            long limit = PollFiles.maxBytes(f.getKey(), maxFileBytes);
            sources.put(f.getKey(), () -> {
                if (slice.length() > limit) {
                    throw new IOException(slice.length() + " bytes, more than [pull] buffer-limit (" + limit
                            + "): not an answer haproxystats-pull wrote");
                }
                return new PollComputation.Answer(slice.container(), slice.offset(), slice.length()); // in place
            });
        }
        String tooLarge = PollBudget.heapCheck(
                sizes, PollComputation.GROUP, Runtime.getRuntime().maxMemory());
        if (tooLarge != null) {
            return refuse(record, copies(files), poll.poll(), tooLarge);
        }
        PollComputation computation = computation(lb);
        PollComputation.Result result = computation.compute(
                poll.poll(),
                sources,
                ExcludeLists.names(settings.excludeFrontends()),
                ExcludeLists.names(settings.excludeBackends()));
        for (String error : result.errors()) {
            LOG.error("{} ({} of {}): {}", where, poll.poll(), lb, error);
        }
        MetricBatch batch = result.batch().from(MetricPaths.sanitise(lb));
        List<CompletableFuture<Void>> published =
                publisher == null ? List.of() : publish(poll, Long.parseLong(poll.poll()), computation, result);
        fanOut.addStats(computation.paths(), batch);
        int lines = batch.lines();
        // Files that did not parse are kept once the lines are delivered: copied now, as the
        // array they are in is reused as soon as this returns.
        SortedMap<String, byte[]> unparsed = result.errors().isEmpty() ? null : copies(files);
        CompletableFuture<Void> delivered = fanOut.submitOrFail(where, batch, () -> {});
        published = new ArrayList<>(published);
        published.add(delivered);
        return CompletableFuture.allOf(published.toArray(CompletableFuture[]::new))
                .thenRun(() -> {
                    LOG.info("{} ({} of {}): {} lines delivered", where, poll.poll(), lb, lines);
                    if (unparsed != null) {
                        keep(record, unparsed, poll.poll(), "files that could not be parsed (see the log)");
                    }
                });
    }

    /**
     * The poll's values to the cluster values topic (when this processor aggregates and the load
     * balancer has a cluster: the returned future, awaited before the commit) and its servers'
     * states to the servers-state topic (when the poll has {@code show servers state} answers, as
     * the computation parsed them; best effort).
     */
    private List<CompletableFuture<Void>> publish(
            PollRecord poll, long epoch, PollComputation computation, PollComputation.Result result) {
        List<CompletableFuture<Void>> out = new ArrayList<>();
        String lb = poll.lb();
        Optional<String> clusterName = poll.cluster().isEmpty()
                ? cluster.clusterOf(lb)
                : poll.cluster().filter(c -> !c.isEmpty()).map(MetricPaths::sanitise); // one path component
        if (publisher.aggregates()) {
            if (clusterName.isPresent()) {
                out.add(publisher.values(
                        clusterName.get(),
                        ClusterValues.of(
                                lb, epoch, result.batch(), computation.paths().prefix(), result.timers())));
            } else if (unclustered.add(lb)) {
                LOG.warn(
                        "load balancer {} has no cluster ([kafka] cluster at its edge, or a [clusters] pattern"
                                + " here): its polls are not in any cluster's lines",
                        lb);
            }
        }
        List<ServersStateAnswer> answers = result.serversStates();
        if (!answers.isEmpty()) {
            List<FleetRecord> states = FleetRecord.of(lb, epoch, clusterName.orElse(FleetRecord.NO_CLUSTER), answers);
            publisher.servers(states); // best effort: never holds the poll back
        }
        return out;
    }

    /** A load balancer's last poll: its name, the CRC-32C of the record's value, where the record was. */
    private record LastPoll(String poll, long crc, String where) {}

    /**
     * Two edges that publish under one load balancer name (a cloned machine, a copied {@code [kafka]
     * host}) send, with a fixed-phase pull, one poll of the same epoch each, with different values:
     * Graphite would keep whichever came last, series flipping between two machines. A poll that
     * comes again as it was (the edge sent it again after a lost acknowledgement, the group
     * rebalanced) has the same bytes; one with the same name and other bytes has another source.
     * Said once a load balancer, naming both records (both in the key's partition), so that an
     * operator can read them. Only consecutive polls of a name are compared: two edges whose pulls
     * have different phases (other epochs) are not detected here.
     */
    private void warnIfTwoSources(ConsumerRecord<byte[], byte[]> record, String lb, String poll) {
        CRC32C crc = new CRC32C();
        crc.update(record.value());
        LastPoll now = new LastPoll(poll, crc.getValue(), where(record));
        LastPoll before =
                lastPolls.size() < MAX_CACHED_HOSTS || lastPolls.containsKey(lb) ? lastPolls.put(lb, now) : null;
        if (before != null && before.poll().equals(poll) && before.crc() != now.crc() && twoSources.add(lb)) {
            LOG.warn(
                    "load balancer {}: poll {} came twice with different values ({} and {}): two edges publish under"
                            + " one name (give each its own [kafka] host), or its puller named two polls alike; Graphite"
                            + " keeps whichever came last",
                    lb,
                    poll,
                    before.where(),
                    now.where());
        }
    }

    private static SortedMap<String, byte[]> copies(SortedMap<String, PollContainer.Slice> files) {
        SortedMap<String, byte[]> out = new TreeMap<>();
        files.forEach((name, slice) -> out.put(name, slice.bytes()));
        return out;
    }

    /** The computation for a load balancer's paths, kept per name. */
    private PollComputation computation(String host) {
        PollComputation c = computations.get(host);
        if (c != null) {
            return c;
        }
        MetricPaths paths = new MetricPaths(graphite, host);
        c = new PollComputation(settings, paths, clock);
        if (computations.size() < MAX_CACHED_HOSTS
                && computations.putIfAbsent(host, c) == null
                && paths.prefix()
                        .equals(graphite.namespace() + "." + ClusterSettings.RESERVED_LOAD_BALANCER + ".haproxy")) {
            LOG.warn(
                    "load balancer {} writes under {}, where the cluster lines of a cluster named '{}' go: rename it"
                            + " ([kafka] host at its edge)",
                    host,
                    paths.prefix(),
                    ClusterSettings.RESERVED_CLUSTER);
        }
        return c;
    }

    private CompletableFuture<Void> refuse(ConsumerRecord<byte[], byte[]> record, String reason) {
        SortedMap<String, byte[]> raw = new TreeMap<>();
        raw.put("record.value", record.value() == null ? new byte[0] : record.value());
        return refuse(record, raw, "0", reason);
    }

    private CompletableFuture<Void> refuse(
            ConsumerRecord<byte[], byte[]> record, SortedMap<String, byte[]> files, String poll, String reason) {
        LOG.error(
                "{}: not a poll this processor can compute: {}; kept in quarantine, the partition goes on",
                where(record),
                reason);
        keep(record, files, poll, reason);
        return CompletableFuture.completedFuture(null);
    }

    /** Keeps the record's files in quarantine as {@code <poll>.kafka-<topic>-<partition>-<offset>}, with a REASON file. */
    private void keep(
            ConsumerRecord<byte[], byte[]> record, SortedMap<String, byte[]> files, String poll, String reason) {
        SortedMap<String, byte[]> kept = new TreeMap<>(files);
        String key = Records.keyText(record);
        kept.put(
                "REASON",
                ("record " + where(record) + ", key " + key + "\n" + reason + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            LOG.error(
                    "{}: kept for inspection in {}",
                    where(record),
                    quarantine.keepFiles(
                            poll + ".kafka-" + record.topic() + "-" + record.partition() + "-" + record.offset(),
                            kept));
        } catch (IOException e) {
            LOG.error("{}: cannot keep it in quarantine {}: {}", where(record), quarantine.dir(), e.toString());
        }
    }
}
