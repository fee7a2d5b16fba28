package io.haproxystats.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Security: no code of the daemons starts a process (so none runs a shell, whatever a config or
 * a socket says). Checked on the sources of every module: ProcessBuilder, Runtime.exec and
 * ProcessHandle-based launching must not appear. (The launcher script that starts the JVM is
 * the only shell, and it runs before any input is read.)
 */
class NoShellTest {

    private static final Pattern STARTS_A_PROCESS =
            Pattern.compile("ProcessBuilder|Runtime\\.getRuntime\\(\\)\\.exec|\\.exec\\(");

    @Test
    void noMainSourceStartsAProcess() throws IOException {
        List<String> found = new ArrayList<>();
        int files = 0;
        for (String module : List.of("haproxystats-common", "haproxystats-pull", "haproxystats-process")) {
            try (Stream<Path> s = Files.walk(Path.of("..", module, "src", "main", "java"))) {
                for (Path p : s.filter(f -> f.toString().endsWith(".java")).toList()) {
                    files++;
                    List<String> lines = Files.readAllLines(p);
                    for (int i = 0; i < lines.size(); i++) {
                        if (STARTS_A_PROCESS.matcher(lines.get(i)).find()) {
                            found.add(p + ":" + (i + 1) + ": " + lines.get(i).strip());
                        }
                    }
                }
            }
        }
        assertTrue(files > 50, "the sources were found: " + files);
        assertEquals(List.of(), found);
    }
}
