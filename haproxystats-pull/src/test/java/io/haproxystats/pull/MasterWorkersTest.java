package io.haproxystats.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Workers from a master CLI's show proc, as HAProxy 2.6 writes it (captured from a real one). */
class MasterWorkersTest {

    @Test
    void currentAndOldWorkersButNotTheMasterOrPrograms() {
        String proc = """
                #<PID>          <type>          <reloads>       <uptime>        <version>     \s
                31189           master          1 [failed: 0]   0d00h00m04s     2.6.12-1+deb12u4
                # workers
                31283           worker          0               0d00h00m02s     2.6.12-1+deb12u4
                # old workers
                31215           worker          1               0d00h00m04s     2.6.12-1+deb12u4
                # programs
                4242            dataplaneapi    0               0d00h00m04s     -

                """;
        assertEquals(List.of(new MasterWorkers.Worker(31283, false), new MasterWorkers.Worker(31215, true)),
                MasterWorkers.parse(proc));
    }

    @Test
    void noWorkersYieldsNone() {
        assertEquals(List.of(), MasterWorkers.parse("#<PID> <type>\n1 master 0\n# workers\n# programs\n\n"));
    }
}
