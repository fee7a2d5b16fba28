package io.haproxystats.pull;

import io.haproxystats.common.haproxy.SocketAddress;
import io.haproxystats.common.spool.PollFiles;
import java.util.ArrayList;
import java.util.List;

/**
 * The workers a master CLI lists in its {@code show proc} answer: the current ones under
 * {@code # workers} and those still finishing old connections after a reload under
 * {@code # old workers} (HAProxy 2.x/3.x). Programs and the master itself are not polled.
 *
 * <pre>
 * #&lt;PID&gt;          &lt;type&gt;          &lt;reloads&gt;       &lt;uptime&gt;        &lt;version&gt;
 * 31189           master          1 [failed: 0]   0d00h00m04s     2.6.12-1+deb12u4
 * # workers
 * 31283           worker          0               0d00h00m02s     2.6.12-1+deb12u4
 * # old workers
 * 31215           worker          1               0d00h00m04s     2.6.12-1+deb12u4
 * # programs
 * </pre>
 */
final class MasterWorkers {

    /** How a {@code show proc} answer starts. */
    static final String ANSWER_PREFIX = "#<PID>";

    /**
     * Most bytes read of a {@code show proc} answer. A master socket may be {@code tcp://}, which
     * docs/security.md treats as untrusted: a real answer is about 70 bytes a process.
     */
    static final int MAX_ANSWER_BYTES = 256 * 1024;
    /**
     * Most workers polled through one master (current and old together); each costs a request per
     * command. A real master has a few, a few dozen after many reloads with long connections.
     */
    static final int MAX_WORKERS = 1024;

    /** A worker process; {@code old} when it belongs to a configuration before the last reload. */
    record Worker(long pid, boolean old) {

        /** What goes before a command on the master CLI to send it to this worker: {@code @!<pid> }. */
        String commandPrefix() {
            return "@!" + pid + " ";
        }

        /** This worker's name in poll files and listings: {@code <master>.<pid>}. */
        String label(SocketAddress master) {
            return PollFiles.workerName(master.name(), pid);
        }
    }

    /** An answer no real master gives (too many workers). */
    static final class MalformedException extends Exception {
        MalformedException(String message) {
            super(message);
        }
    }

    private MasterWorkers() {}

    /**
     * The workers of a {@code show proc} answer. A pid is 1 to 10 digits and at most
     * {@code Integer.MAX_VALUE} (Linux's limit is far lower); other first columns are not workers.
     *
     * @throws MalformedException when the answer lists more than {@link #MAX_WORKERS} workers
     */
    static List<Worker> parse(String showProc) throws MalformedException {
        List<Worker> workers = new ArrayList<>();
        String section = "";
        for (String line : showProc.split("\n")) {
            String l = line.strip();
            if (l.startsWith("#")) {
                section = l;
                continue;
            }
            boolean current = section.equals("# workers");
            boolean old = section.equals("# old workers");
            if (!(current || old) || l.isEmpty()) {
                continue;
            }
            String pid = l.split("\\s+")[0];
            if (pid.matches("\\d{1,10}") && Long.parseLong(pid) <= Integer.MAX_VALUE) {
                workers.add(new Worker(Long.parseLong(pid), old));
                if (workers.size() > MAX_WORKERS) {
                    throw new MalformedException("lists more than " + MAX_WORKERS + " workers; not a real master, "
                            + "nothing polled through it");
                }
            }
        }
        return workers;
    }
}
