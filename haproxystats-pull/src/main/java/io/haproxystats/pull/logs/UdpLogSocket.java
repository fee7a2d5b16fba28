package io.haproxystats.pull.logs;

import io.haproxystats.common.config.LogsSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.OptionalInt;

/** A bound UDP socket ({@code udp://host:port}); its drops come from {@link ProcNetUdp}. */
final class UdpLogSocket implements LogSocket {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UdpLogSocket.class);

    private final LogsSettings.Listen.Udp listen;
    private final DatagramChannel channel;
    private final long inode;

    UdpLogSocket(LogsSettings.Listen.Udp listen, OptionalInt rcvbuf) throws IOException {
        this.listen = listen;
        this.channel = DatagramChannel.open();
        try {
            if (rcvbuf.isPresent()) {
                channel.setOption(StandardSocketOptions.SO_RCVBUF, rcvbuf.getAsInt());
            }
            channel.bind(new InetSocketAddress(listen.host(), listen.port()));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        this.inode = ProcNetUdp.inode(port());
        if (inode < 0) {
            LOG.warn(
                    "[logs] {}: the socket's row in /proc/net/udp was not found; its drops are not counted"
                            + " (LogLinesDropped stays 0)",
                    listen);
        }
    }

    /** The bound port (the configured one, or the kernel's choice for port 0 in tests). */
    int port() throws IOException {
        return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    /** The receive buffer the kernel granted (Linux doubles the asked value, up to rmem_max). */
    int receiveBuffer() throws IOException {
        return channel.getOption(StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public int receive(ByteBuffer buffer) throws IOException {
        buffer.clear();
        channel.receive(buffer); // blocks; close() ends it with AsynchronousCloseException
        return buffer.position();
    }

    @Override
    public long drops() {
        return ProcNetUdp.drops(inode);
    }

    @Override
    public void check() {
        // A bound UDP port cannot be taken from under it.
    }

    @Override
    public String describe() {
        return listen.toString();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
