package io.haproxystats.common.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real HAProxy process (Debian's {@code haproxy}) for tests: a UNIX stats socket
 * {@code <dir>/<name>.sock} at level admin, a TCP stats socket on 127.0.0.1, one frontend, and a
 * backend whose servers point at closed local ports (so health checks mark them DOWN) plus one
 * without checks (UP). Stopped by {@link #close()}.
 */
public final class HaproxyInstance implements AutoCloseable {

    private final String name;
    private final Path socket;
    private final int statsPort;
    private final int frontendPort;
    private final int serverPort;
    private final Process process;

    private HaproxyInstance(
            String name, Path socket, int statsPort, int frontendPort, int serverPort, Process process) {
        this.name = name;
        this.socket = socket;
        this.statsPort = statsPort;
        this.frontendPort = frontendPort;
        this.serverPort = serverPort;
        this.process = process;
    }

    public static HaproxyInstance start(Path dir, String name) throws IOException, InterruptedException {
        return start(dir, name, null, "");
    }

    /** An instance whose configuration ends with {@code extraConfig} (more proxies, say). */
    public static HaproxyInstance startWith(Path dir, String name, String extraConfig)
            throws IOException, InterruptedException {
        return start(dir, name, null, extraConfig);
    }

    /**
     * An instance in master-worker mode ({@code haproxy -W}) with its master CLI on
     * {@code masterSocket}; {@link #reload()} makes the master start a new worker.
     */
    public static HaproxyInstance startMasterWorker(Path dir, String name, Path masterSocket)
            throws IOException, InterruptedException {
        return start(dir, name, masterSocket, "");
    }

    private static HaproxyInstance start(Path dir, String name, Path masterSocket, String extraConfig)
            throws IOException, InterruptedException {
        Path socket = dir.resolve(name + ".sock");
        int statsPort = freePort();
        int frontendPort = freePort();
        int serverPort = freePort();
        Path cfg = dir.resolve(name + ".cfg");
        Files.writeString(
                cfg,
                """
                global
                    stats socket %s mode 600 level admin
                    stats socket 127.0.0.1:%d level admin
                defaults
                    mode http
                    timeout connect 1s
                    timeout client 5s
                    timeout server 5s
                frontend fe_%s
                    bind 127.0.0.1:%d
                    default_backend be.app
                backend be.app
                    server web.1 127.0.0.1:%d check inter 1s
                    server web-2 127.0.0.1:%d
                backend be_other
                    server other 127.0.0.1:%d check inter 1s
                """.formatted(socket, statsPort, name, frontendPort, freePort(), serverPort, freePort()) + extraConfig);
        List<String> command = new ArrayList<>(List.of("haproxy", "-db", "-f", cfg.toString()));
        if (masterSocket != null) {
            command.addAll(List.of("-W", "-S", masterSocket.toString()));
        }
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile())
                .start();
        HaproxyInstance instance = new HaproxyInstance(name, socket, statsPort, frontendPort, serverPort, p);
        Wait.until(Duration.ofSeconds(10), () -> Files.exists(socket) || !p.isAlive(), "haproxy " + name + " socket");
        if (!p.isAlive()) {
            throw new IllegalStateException(
                    "haproxy " + name + " exited: " + Files.readString(dir.resolve(name + ".log")));
        }
        return instance;
    }

    public String name() {
        return name;
    }

    public Path socket() {
        return socket;
    }

    /** Where the frontend fe_NAME listens (HTTP), on 127.0.0.1. */
    public int frontendPort() {
        return frontendPort;
    }

    /**
     * The port of be.app's server web-2 (no health check, so it takes the traffic while web.1 is
     * DOWN): nothing listens there unless the test serves it, and HAProxy answers 503.
     */
    public int serverPort() {
        return serverPort;
    }

    public int statsPort() {
        return statsPort;
    }

    /** Asks a master-worker instance to reload (SIGUSR2 to the master): a new worker, the old one finishing. */
    public void reload() throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-USR2", Long.toString(process.pid()))
                .inheritIO()
                .start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -USR2 " + process.pid() + " failed");
        }
    }

    /** Sends one command to a UNIX CLI socket (the master's or a worker's) and returns the answer. */
    public static String cli(Path socket, String command) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
            channel.shutdownOutput();
            return new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
