package io.haproxystats.common.spool;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Every directory and file the daemons create goes through here, with an explicit mode: 0755 for
 * directories, 0644 for files. The process umask can only remove bits from these, so nothing
 * they create is group- or world-writable even under {@code umask 000}, while the nagios checks
 * (another user) can still read the status files. docs/security.md.
 */
public final class FileModes {

    public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwxr-xr-x");
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-r--r--");

    private static final FileAttribute<Set<PosixFilePermission>> DIRECTORY_ATTRIBUTE =
            PosixFilePermissions.asFileAttribute(DIRECTORY);
    private static final FileAttribute<Set<PosixFilePermission>> FILE_ATTRIBUTE =
            PosixFilePermissions.asFileAttribute(FILE);

    private FileModes() {}

    /** {@link Files#createDirectories}: the directories it creates get 0755 (masked by the umask). */
    public static Path createDirectories(Path dir) throws IOException {
        return Files.createDirectories(dir, DIRECTORY_ATTRIBUTE);
    }

    /** {@link Files#createDirectory} with 0755; fails if it exists. */
    public static Path createDirectory(Path dir) throws IOException {
        return Files.createDirectory(dir, DIRECTORY_ATTRIBUTE);
    }

    /** A new file (it must not exist) with 0644, open for writing. */
    public static FileChannel createNew(Path file) throws IOException {
        return FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), FILE_ATTRIBUTE);
    }

    /** A file created with 0644 or truncated, open for writing. */
    public static OutputStream overwrite(Path file) throws IOException {
        return Channels.newOutputStream(FileChannel.open(
                file,
                Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE),
                FILE_ATTRIBUTE));
    }

    /** {@code text} as UTF-8 into a file created with 0644 or truncated. */
    public static void writeString(Path file, String text) throws IOException {
        try (OutputStream out = overwrite(file)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
