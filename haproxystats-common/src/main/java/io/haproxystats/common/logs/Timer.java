package io.haproxystats.common.logs;

/**
 * The timers HAProxy's standard log formats carry, in milliseconds, named as HAProxy's
 * documentation names them (and so in the metric paths). {@code option httplog} (and
 * {@code httpslog}) log {@code TR/Tw/Tc/Tr/Ta}, {@code option tcplog} logs {@code Tw/Tc/Tt};
 * {@code Tw} and {@code Tc} mean the same in both. A timer HAProxy never set (the request was
 * aborted before) is logged as {@code -1}.
 */
public enum Timer {
    /** HTTP: time to receive the full request headers, from the first byte. */
    TR,
    /** Time spent in queues waiting for a connection slot. */
    Tw,
    /** Time to establish the TCP connection to the server. */
    Tc,
    /** HTTP: the server's response time (until its full response headers). */
    Tr,
    /** HTTP: the whole request's active time, from the first byte to the last byte sent. */
    Ta,
    /** TCP: the whole session's duration. */
    Tt;

    /** The HTTP formats' timers, in their order in the log line. */
    public static final Timer[] HTTP = {TR, Tw, Tc, Tr, Ta};
    /** The TCP format's timers, in their order in the log line. */
    public static final Timer[] TCP = {Tw, Tc, Tt};

    private static final Timer[] ALL = values();

    /** The timer named exactly {@code name}, or null. */
    public static Timer named(String name) {
        for (Timer t : ALL) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
