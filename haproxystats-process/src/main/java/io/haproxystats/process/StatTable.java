package io.haproxystats.process;

import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * One {@code show stat} answer as a Tablesaw table: {@code pxname}, {@code svname} as text, and
 * one {@link LongColumn} per numeric field the processor needs that the answer's header has (a
 * field this HAProxy version lacks is simply absent). Empty fields are 0, as the original's
 * {@code fillna(0)} makes them.
 *
 * @param source the socket name (file name without {@code _stat})
 */
record StatTable(String source, Table table) {

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

    /** The field's values; callers check {@link #has} first. */
    long[] values(String field) {
        return ((LongColumn) table.column(field)).asLongArray();
    }

    int rows() {
        return table.rowCount();
    }
}
