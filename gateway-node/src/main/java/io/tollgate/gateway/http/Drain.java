package io.tollgate.gateway.http;

import io.helidon.webserver.spi.ServerConnectionSelector;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Graceful shutdown's bookkeeping: requests in flight on the gateway port, and the phase of the shutdown. While
 * {@link #unready()} the node answers readiness with 503 but still serves, so load balancers notice before anything
 * is refused; once {@link #refusing()} a new request gets 503 {@code unavailable} with {@code Connection: close}.
 * {@link #awaitIdle} then waits for the requests in flight to finish, up to a deadline.
 *
 * <p>HTTP/2 clients are told in HTTP/2's terms instead (RFC 9113 section 6.8), on every connection the listeners
 * opened through {@link #http2Selector()}: going unready sends GOAWAY(NO_ERROR) with 2^31-1, the shutdown notice
 * ("open no new streams here", while streams still in flight to the node are served); refusing sends the final
 * GOAWAY with the last stream accepted on that connection. A stream at or below it is served
 * ({@link #enterStream}); one above it is never processed, and the client, told so, may retry it elsewhere.
 *
 * <p>A request counts itself in before it checks the phase, and the shutdown sets the phase before it counts:
 * so no request can slip in unseen after {@link #refuse()} and still be running when {@link #awaitIdle} returns.
 * (An HTTP/2 stream at or below its connection's last-stream-id that reaches the handler only after the node went
 * idle, because Helidon ran it after a later one, is the exception: it can be cut by the listener closing.)
 */
public final class Drain {
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Http2Clients http2 = new Http2Clients();
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

    /**
     * As {@link #enter()}, for stream {@code streamId} of an HTTP/2 connection (Helidon's server socket id and
     * connection id, as the request reports them). A connection this drain does not know (none is expected:
     * both ways into HTTP/2 are tracked) follows the HTTP/1.1 rule.
     */
    public boolean enterStream(String serverSocketId, String connectionId, int streamId) {
        ClientConnection connection = http2.find(serverSocketId, connectionId);
        if (connection == null) {
            return enter();
        }
        inFlight.incrementAndGet();
        if (!connection.accept(streamId)) {
            inFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    /** The connection selector to add to a gateway listener, so that its HTTP/2 clients are told GOAWAY. */
    public ServerConnectionSelector http2Selector() {
        return http2.selector();
    }

    /** The protocol configuration to add to a gateway listener, so that connections upgraded to h2c are too. */
    public H2cUpgrade h2cUpgrade() {
        return new H2cUpgrade(http2.upgrader());
    }

    public void exit() {
        inFlight.decrementAndGet();
    }

    /** Readiness goes down; requests are still served. HTTP/2 clients get the shutdown notice. */
    public void markUnready() {
        unready = true;
        http2.notice();
    }

    /** New requests are refused from now on; HTTP/2 clients get their final GOAWAY. */
    public void refuse() {
        unready = true;
        refusing = true;
        http2.finalGoAway();
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
