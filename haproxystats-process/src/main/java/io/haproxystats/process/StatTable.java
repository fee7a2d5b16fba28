package io.haproxystats.process;

import java.util.HashMap;
import java.util.Map;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * One {@code show stat} answer as a Tablesaw table: {@code pxname}, {@code svname} as text, and
 * one {@link LongColumn} per numeric field the processor needs that the answer's header has (a
 * field this HAProxy version lacks is simply absent). Empty fields are 0, as the original's
 * {@code fillna(0)} makes them. Used by one thread at a time.
 */
final class StatTable {

    private final String source;
    private final Table table;
    /** Each column's values as an array, copied out of Tablesaw once (asLongArray copies). */
    private final Map<String, long[]> arrays = new HashMap<>();

    /** @param source the socket name (file name without {@code _stat}) */
    StatTable(String source, Table table) {
        this.source = source;
        this.table = table;
    }

    String source() {
        return source;
    }

    /** The text column kept for the state metrics (when asked for and the header has it). */
    static final String STATUS = "status";

    /** The status text of each row, or null when the table does not carry it. */
    StringColumn status() {
        return table.containsColumn(STATUS) ? table.stringColumn(STATUS) : null;
    }

    StringColumn pxname() {
        return table.stringColumn("pxname");
    }

    StringColumn svname() {
        return table.stringColumn("svname");
    }

    boolean has(String field) {
        return table.containsColumn(field);
    }

    /**
     * The field's values, the same array on every call (the frontend, backend and server parts
     * read many of the same fields); callers check {@link #has} first and must not modify it.
     */
    long[] values(String field) {
        return arrays.computeIfAbsent(field, f -> ((LongColumn) table.column(f)).asLongArray());
    }

    int rows() {
        return table.rowCount();
    }
}
