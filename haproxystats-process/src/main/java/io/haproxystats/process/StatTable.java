package io.haproxystats.process;

import java.util.Map;

/**
 * One {@code show stat} answer as columns: {@code pxname}, {@code svname} (and {@code status} for
 * the state metrics) as text, one {@code long[]} per numeric field the processor needs that the
 * answer's header has (a field this HAProxy version lacks is simply absent). Empty fields are 0, as
 * the original's {@code fillna(0)} makes them. The arrays may be longer than {@link #rows()}; only
 * the first {@code rows()} entries are rows. Read-only once built.
 *
 * <p>Plain arrays rather than a Tablesaw table: the parser fills them in place, and the aggregator
 * reads them by index; a Tablesaw table cost a copy per column into it and out of it and a
 * dictionary lookup per name, measured in docs/benchmarks.md.
 */
final class StatTable {

    private final String source;
    private final String[] pxnames;
    private final String[] svnames;
    private final String[] statuses;
    private final Map<String, long[]> columns;
    private final int rows;

    /**
     * @param source   the socket name (file name without {@code _stat})
     * @param statuses the status text of each row, or null when not kept
     */
    StatTable(
            String source,
            String[] pxnames,
            String[] svnames,
            String[] statuses,
            Map<String, long[]> columns,
            int rows) {
        this.source = source;
        this.pxnames = pxnames;
        this.svnames = svnames;
        this.statuses = statuses;
        this.columns = columns;
        this.rows = rows;
    }

    String source() {
        return source;
    }

    /** The status text of each row, or null when the table does not carry it. */
    String[] statuses() {
        return statuses;
    }

    String[] pxnames() {
        return pxnames;
    }

    String[] svnames() {
        return svnames;
    }

    boolean has(String field) {
        return columns.containsKey(field);
    }

    /** The field's values; callers check {@link #has} first and must not modify it. */
    long[] values(String field) {
        return columns.get(field);
    }

    int rows() {
        return rows;
    }
}
