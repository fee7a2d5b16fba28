package io.haproxystats.process.compute;

/** A poll file that cannot be read as HAProxy output; the message names file, line and reason. */
public final class ParseException extends Exception {

    private final ParsedFile.FileError error;

    ParseException(String file, int line, String reason) {
        this(new ParsedFile.FileError(file, line, reason));
    }

    private ParseException(ParsedFile.FileError error) {
        super(error.message());
        this.error = error;
    }

    /** The error as the poll's computation reports it. */
    ParsedFile.FileError error() {
        return error;
    }
}
