package io.haproxystats.process.compute;

import java.util.Map;

/**
 * The integer fields of one {@code show info} answer.
 *
 * @param source the socket name the answer came from (file name without {@code _info})
 * @param values field name to value; fields whose value is not an integer are left out
 */
record InfoRecord(String source, Map<String, Long> values) {

    Long get(String field) {
        return values.get(field);
    }
}
