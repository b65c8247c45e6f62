package io.tollgate.gateway.resilience;

/** How one attempt at a target ended, as far as the target's health is concerned. */
public enum Outcome {
    /** An answer below 500. */
    SUCCESS,
    /** An answer of 500 or above. */
    SERVER_ERROR,
    /** The connection could not be made. */
    CONNECT_FAILURE,
    /** The connection broke before the answer's headers arrived. */
    RESET,
    /** No answer within the read timeout or the deadline. */
    TIMEOUT;

    /** Counted by outlier ejection: the target answered 5xx or could not be talked to. */
    boolean ejects() {
        return this == SERVER_ERROR || this == CONNECT_FAILURE || this == RESET;
    }

    /** Counted by the circuit breaker: every failure, a stalled target included. */
    boolean trips() {
        return this != SUCCESS;
    }
}
