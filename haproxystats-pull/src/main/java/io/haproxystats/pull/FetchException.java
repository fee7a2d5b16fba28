package io.haproxystats.pull;

/** One request to one stats socket failed; the message names the socket, the command and why. */
final class FetchException extends Exception {

    FetchException(String message) {
        super(message);
    }

    FetchException(String message, Throwable cause) {
        super(message, cause);
    }
}
