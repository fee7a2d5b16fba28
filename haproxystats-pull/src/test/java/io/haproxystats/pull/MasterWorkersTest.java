package io.haproxystats.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Workers from a master CLI's show proc, as HAProxy 2.6 writes it (captured from a real one). */
class MasterWorkersTest {

    @Test
    void currentAndOldWorkersButNotTheMasterOrPrograms() throws Exception {
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
        assertEquals(
                List.of(new MasterWorkers.Worker(31283, false), new MasterWorkers.Worker(31215, true)),
                MasterWorkers.parse(proc));
    }

    @Test
    void noWorkersYieldsNone() throws Exception {
        assertEquals(List.of(), MasterWorkers.parse("#<PID> <type>\n1 master 0\n# workers\n# programs\n\n"));
    }

    @Test
    void aPidTooLongForAPidIsNotAWorkerAndTooManyWorkersAreRefused() throws Exception {
        // A 20-digit pid made Long.parseLong throw out of the poll (NumberFormatException), leaving
        // the poll's directory behind in tmp-dst-dir.
        assertEquals(
                List.of(new MasterWorkers.Worker(7, false)),
                MasterWorkers.parse("#<PID>\n# workers\n12345678901234567890 worker\n7 worker\n\n"));
        StringBuilder many = new StringBuilder("#<PID>\n# workers\n");
        for (int pid = 1; pid <= MasterWorkers.MAX_WORKERS + 1; pid++) {
            many.append(pid).append(" worker 0 0d00h00m01s 2.6\n");
        }
        MasterWorkers.MalformedException e =
                assertThrows(MasterWorkers.MalformedException.class, () -> MasterWorkers.parse(many.toString()));
        assertEquals("lists more than 1024 workers; not a real master, nothing polled through it", e.getMessage());
    }
}
