package io.haproxystats.process.status;

/** Where polls or lines go, as the status file reports it: Graphite, or Kafka at the edge. */
public interface Destination {

    /** The status file's key and the systemd status word: {@code graphite} or {@code kafka}. */
    String statusKey();

    boolean reachable();

    /** A warning about the peer while it lasts; empty when none. */
    String peerWarning();

    DeliveryStats stats();

    /** True while the thread that delivers runs. */
    boolean senderAlive();
}
