package io.tollgate.launcher;

/** A failure the person at the terminal can act on: its message says what is wrong and what to do. */
final class LaunchException extends RuntimeException {
    LaunchException(String message) {
        super(message);
    }

    LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
