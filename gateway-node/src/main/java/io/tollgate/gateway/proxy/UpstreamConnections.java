package io.tollgate.gateway.proxy;

import io.tollgate.gateway.snapshot.UpstreamPool;
import io.tollgate.gateway.tls.UpstreamTls;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keep-alive HTTP/1.1 connections to upstream targets ({@link UpstreamConnection}), pooled per host and port. A
 * connection comes back here only after an exchange that read its whole answer and that both sides keep; every
 * connection discarded is closed: on borrow when the upstream closed it (or sent something unasked) while it sat
 * idle, and from a reaper that closes connections idle for longer than {@link #MAX_IDLE}. Most recently used
 * connections are handed out first, so under light load the surplus ages out at the tail.
 *
 * <p>A pooled connection is checked on borrow (one non-blocking read) only when it sat idle longer than
 * {@link #CHECK_AFTER}: under load connections come back within microseconds and an upstream that closes idle
 * connections does so after seconds. A connection the upstream closed in the window anyway fails on its first
 * read, which the proxy treats as a stale connection (an idempotent request gets one more attempt on a fresh one).
 * The reaper does not read from pooled connections (a borrower may take one at any moment), so a connection the
 * upstream closed stays open on this side until it is borrowed or ages out.
 *
 * <p>TLS connections (https targets) are pooled the same way, apart from plain ones to the same host and port; a
 * new one to a target resumes the TLS session of an earlier one when the target allows (one SSLContext per node).
 */
final class UpstreamConnections implements AutoCloseable {
    static final Duration MAX_IDLE = Duration.ofSeconds(30);
    static final long CHECK_AFTER = TimeUnit.MILLISECONDS.toNanos(100);
    private static final int MAX_IDLE_PER_TARGET = 256;

    /** Plain and TLS connections to one host and port are never mixed up. */
    private record Target(String host, int port, boolean tls) {
    }

    /** A connection for one request, and whether it came from the pool (then it may be stale). */
    record Lease(UpstreamConnection connection, boolean reused) {
    }

    private final class Idle implements UpstreamConnection.Owner {
        final ConcurrentLinkedDeque<UpstreamConnection> queue = new ConcurrentLinkedDeque<>();
        final AtomicInteger size = new AtomicInteger();

        UpstreamConnection poll() {
            UpstreamConnection connection = queue.pollFirst();
            if (connection != null) {
                size.decrementAndGet();
            }
            return connection;
        }

        @Override
        public void release(UpstreamConnection connection) {
            if (closed || size.incrementAndGet() > MAX_IDLE_PER_TARGET) {
                size.decrementAndGet();
                connection.close();
                return;
            }
            connection.idleSinceNanos = System.nanoTime();
            queue.offerFirst(connection);
            if (closed && queue.removeFirstOccurrence(connection)) {
                // closed meanwhile: close() may have emptied the queue before this one arrived
                size.decrementAndGet();
                connection.close();
            }
        }
    }

    private final ConcurrentHashMap<Target, Idle> idle = new ConcurrentHashMap<>();
    private final ReadTimeouts readTimeouts = new ReadTimeouts("tollgate-upstream-read-timeouts");
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(
            runnable -> Thread.ofPlatform().daemon().name("tollgate-upstream-reaper").unstarted(runnable));
    private volatile boolean closed;

    private final UpstreamTls tls;

    UpstreamConnections(UpstreamTls tls) {
        this.tls = tls;
        reaper.scheduleWithFixedDelay(this::reap, 1, 1, TimeUnit.SECONDS);
    }

    /** A connected connection to {@code target}, from the pool when one is usable, else a new one. */
    Lease borrow(UpstreamPool.Target target, Duration connectTimeout) throws IOException {
        Idle pool = idle.computeIfAbsent(new Target(target.host(), target.port(), target.tls()), k -> new Idle());
        long now = System.nanoTime();
        for (UpstreamConnection candidate = pool.poll(); candidate != null; candidate = pool.poll()) {
            if (!candidate.isClosed() && (now - candidate.idleSinceNanos < CHECK_AFTER || candidate.usable())) {
                return new Lease(candidate, true);
            }
            candidate.close();
        }
        return new Lease(UpstreamConnection.open(target, connectTimeout, tls, pool, readTimeouts), false);
    }

    /** What watches the reads of this pool's connections; unpooled ones (WebSocket upgrades) use it too. */
    ReadTimeouts readTimeouts() {
        return readTimeouts;
    }

    /** How many connections sit idle in the pool, all targets together. */
    int idleCount() {
        int total = 0;
        for (Idle pool : idle.values()) {
            total += pool.size.get();
        }
        return total;
    }

    private void reap() {
        long oldest = System.nanoTime() - MAX_IDLE.toNanos();
        for (Idle pool : idle.values()) {
            // The tail holds the longest idle; a removal that loses a race with borrow simply finds nothing.
            for (UpstreamConnection tail = pool.queue.peekLast(); tail != null; tail = pool.queue.peekLast()) {
                if (!tail.isClosed() && tail.idleSinceNanos > oldest) {
                    break;
                }
                if (pool.queue.removeLastOccurrence(tail)) {
                    pool.size.decrementAndGet();
                    tail.close();
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        reaper.shutdownNow();
        readTimeouts.close();
        for (Idle pool : idle.values()) {
            for (UpstreamConnection connection = pool.poll(); connection != null; connection = pool.poll()) {
                connection.close();
            }
        }
    }
}
