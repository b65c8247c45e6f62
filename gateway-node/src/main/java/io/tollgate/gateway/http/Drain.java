package io.tollgate.gateway.http;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Graceful shutdown's bookkeeping: requests in flight on the gateway port, and the phase of the shutdown. While
 * {@link #unready()} the node answers readiness with 503 but still serves, so load balancers notice before anything
 * is refused; once {@link #refusing()} a new request gets 503 {@code unavailable} with {@code Connection: close}.
 * {@link #awaitIdle} then waits for the requests in flight to finish, up to a deadline.
 *
 * <p>A request counts itself in before it checks the phase, and the shutdown sets the phase before it counts:
 * so no request can slip in unseen after {@link #refuse()} and still be running when {@link #awaitIdle} returns.
 */
public final class Drain {
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean unready;
    private volatile boolean refusing;

    /** True when the request may proceed; then {@link #exit()} must follow. False: refuse it. */
    public boolean enter() {
        inFlight.incrementAndGet();
        if (refusing) {
            inFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    public void exit() {
        inFlight.decrementAndGet();
    }

    /** Readiness goes down; requests are still served. */
    public void markUnready() {
        unready = true;
    }

    /** New requests are refused from now on. */
    public void refuse() {
        unready = true;
        refusing = true;
    }

    public boolean unready() {
        return unready;
    }

    public boolean refusing() {
        return refusing;
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Waits until no request is in flight or {@code timeout} has passed; true when idle. */
    public boolean awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inFlight.get() > 0) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return inFlight.get() == 0;
            }
        }
        return true;
    }
}
