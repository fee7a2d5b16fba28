package io.haproxystats.process.compute;

import java.util.Map;

/**
 * One {@code show stat} answer: {@code pxname}, {@code svname} (and {@code status} for the state
 * metrics) as text, and the numeric fields the processor needs that the answer's header has (a
 * field this HAProxy version lacks is simply absent), row-major in one {@code long[]}: field
 * {@code f} of row {@code r} is {@code data()[r * stride() + index(f)]}. Empty fields are 0, as the
 * original's {@code fillna(0)} makes them. The arrays may be longer than {@link #rows()} rows.
 * Read-only once built.
 *
 * <p>Plain arrays rather than a Tablesaw table: the parser fills them in place, a row's fields
 * side by side, and the aggregator reads them row by row; a Tablesaw table cost a copy per column
 * into it and out of it and a dictionary lookup per name (docs/benchmarks.md).
 */
public final class StatTable {

    private final String source;
    private final String[] pxnames;
    private final String[] svnames;
    private final String[] statuses;
    private final Map<String, Integer> index;
    private final long[] data;
    private final int stride;
    private final int rows;

    /**
     * @param source   the socket name (file name without {@code _stat})
     * @param statuses the status text of each row, or null when not kept
     * @param index    each present field's position within a row
     */
    StatTable(
            String source,
            String[] pxnames,
            String[] svnames,
            String[] statuses,
            Map<String, Integer> index,
            long[] data,
            int stride,
            int rows) {
        this.source = source;
        this.pxnames = pxnames;
        this.svnames = svnames;
        this.statuses = statuses;
        this.index = index;
        this.data = data;
        this.stride = stride;
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

    /** The field's position within a row, or -1 when the answer lacks it. */
    int index(String field) {
        Integer i = index.get(field);
        return i == null ? -1 : i;
    }

    /** The values, row-major; callers must not modify them. */
    long[] data() {
        return data;
    }

    int stride() {
        return stride;
    }

    int rows() {
        return rows;
    }
}
