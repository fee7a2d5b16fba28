package io.haproxystats.pull.logs;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The kernel's per-socket UDP drop counter: the last column ({@code drops}) of the socket's row in
 * {@code /proc/net/udp} or {@code /proc/net/udp6}, found by its inode. The JDK does not give a
 * channel's file descriptor, so the inode is found once after binding: the row with the bound
 * local port whose inode is one of this process's sockets ({@code /proc/self/fd}).
 */
final class ProcNetUdp {

    private static final List<Path> TABLES = List.of(Path.of("/proc/net/udp"), Path.of("/proc/net/udp6"));

    private ProcNetUdp() {}

    /** The inode of this process's UDP socket bound to {@code port}, or -1 when not found (not Linux). */
    static long inode(int port) {
        Set<Long> ours = ownSockets();
        for (Path table : TABLES) {
            for (String[] row : rows(table)) {
                String local = row[1];
                int colon = local.lastIndexOf(':');
                try {
                    if (colon > 0 && Integer.parseInt(local.substring(colon + 1), 16) == port) {
                        long inode = Long.parseLong(row[9]);
                        if (ours.contains(inode)) {
                            return inode;
                        }
                    }
                } catch (NumberFormatException e) {
                    // not a row of the known layout
                }
            }
        }
        return -1;
    }

    /** The drops column of the socket with this inode, or -1 when the row is gone or unreadable. */
    static long drops(long inode) {
        if (inode < 0) {
            return -1;
        }
        String wanted = Long.toString(inode);
        for (Path table : TABLES) {
            for (String[] row : rows(table)) {
                if (row[9].equals(wanted)) {
                    try {
                        return Long.parseLong(row[12]);
                    } catch (NumberFormatException e) {
                        return -1;
                    }
                }
            }
        }
        return -1;
    }

    /** The rows of a table with at least the 13 columns of Linux's layout (header skipped). */
    private static List<String[]> rows(Path table) {
        try {
            return Files.readAllLines(table).stream()
                    .skip(1)
                    .map(l -> l.strip().split("\\s+"))
                    .filter(f -> f.length >= 13)
                    .toList();
        } catch (IOException | SecurityException e) {
            return List.of();
        }
    }

    /** The inodes of this process's sockets: {@code /proc/self/fd/N -> socket:[INODE]}. */
    private static Set<Long> ownSockets() {
        Set<Long> out = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[") && target.endsWith("]")) {
                        out.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException | NumberFormatException e) {
                    // closed meanwhile, or not a socket
                }
            }
        } catch (IOException e) {
            // no /proc: nothing is ours
        }
        return out;
    }
}
