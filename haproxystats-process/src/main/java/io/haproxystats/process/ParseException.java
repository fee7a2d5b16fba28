package io.haproxystats.process;

/** A poll file that cannot be read as HAProxy output; the message names file, line and reason. */
final class ParseException extends Exception {

    ParseException(String file, int line, String reason) {
        super(file + (line > 0 ? " line " + line : "") + ": " + reason);
    }
}
