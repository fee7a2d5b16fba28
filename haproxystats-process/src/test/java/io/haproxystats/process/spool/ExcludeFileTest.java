package io.haproxystats.process.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** exclude-frontends / exclude-backends files: one name a line; comments, blank lines and padding ignored. */
class ExcludeFileTest {

    @TempDir
    Path tmp;

    @Test
    void namesAreOnePerLineWithCommentsAndBlankLinesSkipped() throws Exception {
        Path file = Files.writeString(tmp.resolve("exclude"), """
                # frontends we do not graph
                fe_a

                  fe.b\t
                   # an indented comment
                fe_c # not a comment: part of the name, as in the original
                """);
        assertEquals(
                Set.of("fe_a", "fe.b", "fe_c # not a comment: part of the name, as in the original"),
                ExcludeLists.names(Optional.of(file)));
    }

    @Test
    void aMissingFileExcludesNothing() {
        assertEquals(Set.of(), ExcludeLists.names(Optional.of(tmp.resolve("nope"))));
        assertEquals(Set.of(), ExcludeLists.names(Optional.empty()));
    }
}
