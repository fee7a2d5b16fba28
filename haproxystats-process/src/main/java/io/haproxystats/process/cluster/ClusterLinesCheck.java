package io.haproxystats.process.cluster;

import io.haproxystats.process.kafka.ClusterValues;
import io.haproxystats.process.kafka.Records;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A record of the cluster lines topic checked before any of it reaches a dispatcher: its key one
 * cluster name ({@link ClusterValues#checkCluster}), and each line {@code <path> <number>
 * <timestamp>}: the path under {@code <namespace>.cluster.<key>.}, of non-empty sanitised
 * components ({@link ClusterValues#pathProblem}); the number finite, as Graphite reads it; the
 * timestamp integer epoch seconds. Only the cluster aggregation writes this topic: a line of
 * any other form was written by someone else, and would go to Graphite as it is.
 */
final class ClusterLinesCheck {

    /** A decimal number as carbon reads it: no NaN, no infinity, no hexadecimal, no type suffix. */
    private static final Pattern NUMBER = Pattern.compile("-?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d{1,3})?");

    private static final Pattern TIMESTAMP = Pattern.compile("\\d{1,12}");

    /** The valid lines (each ending in a newline) and a description of each line refused. */
    record Result(byte[] valid, int validLines, List<String> refused) {}

    private ClusterLinesCheck() {}

    /**
     * @param namespace {@code [graphite] namespace}
     * @param cluster the record's key, checked already
     */
    static Result check(String namespace, String cluster, byte[] value) {
        String prefix = namespace + ".cluster." + cluster + ".";
        ByteArrayOutputStream valid = new ByteArrayOutputStream(value.length);
        List<String> refused = new ArrayList<>();
        int lines = 0;
        int n = 0;
        for (int from = 0; from < value.length; ) {
            int end = from;
            while (end < value.length && value[end] != '\n') {
                end++;
            }
            n++;
            String problem = problem(value, from, end, prefix);
            if (problem == null) {
                valid.write(value, from, end - from);
                valid.write('\n');
                lines++;
            } else {
                refused.add("line " + n + ": " + problem);
            }
            from = end + 1;
        }
        return new Result(valid.toByteArray(), lines, refused);
    }

    private static String problem(byte[] value, int from, int to, String prefix) {
        String line;
        try {
            line = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value, from, to - from))
                    .toString();
        } catch (CharacterCodingException e) {
            return "not UTF-8";
        }
        String quoted = "'" + Records.printable(line, 160) + "'";
        String[] fields = line.split(" ", -1);
        if (fields.length != 3) {
            return quoted + " has " + fields.length + " space-separated fields, expected <path> <number> <timestamp>";
        }
        if (!fields[0].startsWith(prefix)) {
            return quoted + ": the path is not under " + prefix + " (the record's cluster)";
        }
        String bad = ClusterValues.pathProblem(fields[0]);
        if (bad != null) {
            return quoted + ": the path " + bad;
        }
        if (!NUMBER.matcher(fields[1]).matches() || !Double.isFinite(Double.parseDouble(fields[1]))) {
            return quoted + ": the value is not a finite decimal number";
        }
        if (!TIMESTAMP.matcher(fields[2]).matches()) {
            return quoted + ": the timestamp is not integer epoch seconds";
        }
        return null;
    }
}
