package io.haproxystats.common.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Warnings for files that steer a daemon (the configuration, its extra directory, the exclude
 * files) but that any local user may change: a world-writable one lets anyone choose what is
 * polled, where metrics go and what is left out. A warning, not an error, as the original starts
 * with them; docs/security.md.
 */
public final class WorldWritable {

    private WorldWritable() {}

    /** One message per world-writable file among {@code files} (and the *.conf files of a directory among them). */
    public static List<String> warnings(List<Path> files) {
        List<String> out = new ArrayList<>();
        for (Path file : files) {
            check(file, out);
            if (Files.isDirectory(file)) {
                try (Stream<Path> s = Files.list(file)) {
                    s.filter(p -> p.getFileName().toString().endsWith(".conf"))
                            .sorted()
                            .forEach(p -> check(p, out));
                } catch (IOException e) {
                    // unreadable: the loader reports it
                }
            }
        }
        return out;
    }

    private static void check(Path file, List<String> out) {
        try {
            if (Files.exists(file) && Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_WRITE)) {
                out.add(file + " is world-writable: any local user can change what this daemon does; "
                        + "run chmod o-w on it");
            }
        } catch (IOException | UnsupportedOperationException e) {
            // no POSIX permissions to check
        }
    }
}
