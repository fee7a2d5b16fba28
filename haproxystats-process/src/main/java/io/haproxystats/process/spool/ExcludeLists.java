package io.haproxystats.process.spool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code [process] exclude-frontends} and {@code exclude-backends}: the names in an
 * exclude file, read again at each poll (local or central) so an edit takes effect at the next one.
 */
public final class ExcludeLists {

    private static final Logger LOG = LoggerFactory.getLogger(ExcludeLists.class);
    private static final Pattern COMMENT = Pattern.compile("\\s*#.*");

    private ExcludeLists() {}

    /** Names in an exclude file: one per line, '#' comment lines skipped; none when it cannot be read (logged). */
    public static Set<String> names(Optional<Path> file) {
        Set<String> names = new HashSet<>();
        if (file.isEmpty()) {
            return names;
        }
        try {
            for (String line : Files.readAllLines(file.get(), StandardCharsets.UTF_8)) {
                if (!COMMENT.matcher(line).matches() && !line.isBlank()) {
                    names.add(line.strip());
                }
            }
        } catch (IOException e) {
            LOG.error("cannot read exclude file {}: {}; excluding nothing", file.get(), e.toString());
        }
        return names;
    }
}
