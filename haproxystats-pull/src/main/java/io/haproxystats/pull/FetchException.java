package io.haproxystats.pull;

/**
 * One request to one stats socket failed; the message names the socket, the command and why.
 * {@link #noListener()} when nothing listens there at all (connection refused, the socket file is
 * gone): no HAProxy, as opposed to a live one that answers badly.
 */
final class FetchException extends Exception {

    private final boolean noListener;

    FetchException(String message) {
        this(message, null, false);
    }

    FetchException(String message, Throwable cause) {
        this(message, cause, false);
    }

    FetchException(String message, Throwable cause, boolean noListener) {
        super(message, cause);
        this.noListener = noListener;
    }

    boolean noListener() {
        return noListener;
    }
}
