package io.haproxystats.pull.logs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/** One bound socket the receiver reads, by one thread. */
interface LogSocket extends Closeable {

    /**
     * Receives one datagram into {@code buffer} (cleared first) and returns its length, or -1 when
     * nothing came within the socket's wake-up interval.
     *
     * @throws java.nio.channels.ClosedChannelException once {@link #close()}d
     */
    int receive(ByteBuffer buffer) throws IOException;

    /**
     * The kernel's count of datagrams this socket dropped for want of buffer space, since it was
     * bound; -1 when the kernel does not say (a UNIX datagram socket never drops: the sender is
     * refused).
     */
    long drops();

    /** Called by the reading thread about once a second: a socket file removed under it is re-created. */
    void check();

    /** How the configuration names it ({@code unix:/path}, {@code udp://host:port}). */
    String describe();
}
