package io.haproxystats.pull;

import io.haproxystats.common.haproxy.SocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sockets of one poll: every UNIX socket (by file type) directly inside {@code socket-dir},
 * then every {@code servers} URL. Looked up at each poll, so sockets that appear or disappear with
 * HAProxy instances are followed without a restart. The {@code [logs]} receiver's own UNIX
 * datagram sockets are never taken for stats sockets, should one be in {@code socket-dir}.
 */
final class SocketDiscovery {

    private static final Logger LOG = LoggerFactory.getLogger(SocketDiscovery.class);
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final Optional<Path> socketDir;
    private final List<SocketAddress> servers;
    private final Set<Path> notStats;

    SocketDiscovery(Optional<Path> socketDir, List<SocketAddress> servers) {
        this(socketDir, servers, Set.of());
    }

    /** @param logSockets the {@code [logs] listen} socket files, left out of socket-dir's sockets */
    SocketDiscovery(Optional<Path> socketDir, List<SocketAddress> servers, Set<Path> logSockets) {
        this.socketDir = socketDir;
        this.servers = servers;
        this.notStats = logSockets.stream()
                .map(p -> p.toAbsolutePath().normalize())
                .collect(java.util.stream.Collectors.toSet());
    }

    List<SocketAddress> sockets() {
        List<SocketAddress> out = new ArrayList<>();
        socketDir.ifPresent(dir -> {
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(SocketDiscovery::isSocket)
                        .filter(p -> !notStats.contains(p.toAbsolutePath().normalize()))
                        .sorted()
                        .forEach(p -> out.add(new SocketAddress.Unix(p)));
            } catch (NoSuchFileException e) {
                LOG.error("[pull] socket-dir {} does not exist", dir);
            } catch (IOException e) {
                LOG.error("cannot list socket-dir {}: {}", dir, e.toString());
            }
        });
        for (SocketAddress server : servers) {
            if (!out.contains(server)) {
                out.add(server);
            }
        }
        return out;
    }

    /**
     * Why a poll of these sockets cannot land: two of them would write the same files (a
     * {@code servers} entry with the base name of a socket-dir socket elsewhere, say), or null.
     * Two {@code servers} entries that clash are refused at start already ({@code PullSettings}).
     */
    static String nameClash(List<SocketAddress> sockets, List<SocketAddress> masters) {
        Map<String, SocketAddress> byName = new HashMap<>();
        List<SocketAddress> all = new ArrayList<>(sockets);
        all.addAll(masters);
        for (SocketAddress s : all) {
            SocketAddress other = byName.putIfAbsent(s.name(), s);
            if (other != null) {
                return s + " and " + other + " would both write " + s.name() + "_*: rename one socket file "
                        + "(the poll is not landed while both exist)";
            }
        }
        return null;
    }

    static boolean isSocket(Path p) {
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode");
            return (mode & S_IFMT) == S_IFSOCK;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
