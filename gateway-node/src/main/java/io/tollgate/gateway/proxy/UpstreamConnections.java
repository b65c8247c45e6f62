package io.tollgate.gateway.proxy;

import io.helidon.common.tls.Tls;
import io.helidon.webclient.api.ConnectionKey;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.api.TcpClientConnection;
import io.helidon.webclient.api.WebClient;
import io.tollgate.gateway.snapshot.UpstreamPool;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive connections to upstream targets, pooled here instead of in WebClient. WebClient 4.5.0's own cache
 * drops a connection it finds dead (idle past the read timeout, or closed by the peer) without closing its
 * socket, which leaks a file descriptor per pooled connection until a GC. This pool closes every connection it
 * discards: on borrow when a pooled one is no longer usable, and from a reaper that closes connections idle for
 * longer than {@link #MAX_IDLE}. Most recently used connections are handed out first, so under light load the
 * surplus ages out at the tail.
 */
final class UpstreamConnections implements AutoCloseable {
    static final Duration MAX_IDLE = Duration.ofSeconds(30);
    private static final int MAX_IDLE_PER_TARGET = 256;
    private static final Tls NO_TLS = Tls.builder().enabled(false).build();

    /** Pooled connections are interchangeable once connected, whatever connect timeout opened them. */
    private record Target(String host, int port) {
    }

    private record Idle(TcpClientConnection connection, long sinceNanos) {
    }

    /** A connection for one request, and whether it came from the pool (then it may be stale). */
    record Lease(TcpClientConnection connection, boolean reused) {
    }

    private final ConcurrentHashMap<Target, ConcurrentLinkedDeque<Idle>> idle = new ConcurrentHashMap<>();
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(
            runnable -> Thread.ofPlatform().daemon().name("tollgate-upstream-reaper").unstarted(runnable));
    private volatile boolean closed;

    UpstreamConnections() {
        reaper.scheduleWithFixedDelay(this::reap, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * A connected connection to {@code target}; WebClient returns it through release when the answer is read. A new
     * connection is opened with {@code client}'s connect timeout.
     */
    Lease borrow(WebClient client, UpstreamPool.Target target) {
        Target key = new Target(target.host(), target.port());
        ConcurrentLinkedDeque<Idle> queue = idle.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>());
        for (Idle candidate = queue.pollFirst(); candidate != null; candidate = queue.pollFirst()) {
            if (candidate.connection().isConnected()) {
                return new Lease(candidate.connection(), true);
            }
            candidate.connection().closeResource();
        }
        ConnectionKey connectionKey = ConnectionKey.create("http", target.host(), target.port(), NO_TLS,
                client.prototype().dnsResolver(), client.prototype().dnsAddressLookup(), Proxy.noProxy());
        TcpClientConnection connection = TcpClientConnection.create(client, connectionKey, List.of(),
                released -> release(queue, released), c -> { });
        return new Lease(connection.connect(), false);
    }

    /** True keeps the connection open in the pool; false makes WebClient close it. */
    private boolean release(ConcurrentLinkedDeque<Idle> queue, TcpClientConnection connection) {
        if (closed || !connection.isConnected() || queue.size() >= MAX_IDLE_PER_TARGET) {
            return false;
        }
        // As WebClient's own cache does: a pending read notices when the peer closes the idle connection.
        connection.helidonSocket().idle();
        queue.offerFirst(new Idle(connection, System.nanoTime()));
        return true;
    }

    private void reap() {
        long oldest = System.nanoTime() - MAX_IDLE.toNanos();
        for (ConcurrentLinkedDeque<Idle> queue : idle.values()) {
            // The tail holds the longest idle; a removal that loses a race with borrow simply finds nothing.
            for (Idle tail = queue.peekLast(); tail != null; tail = queue.peekLast()) {
                if (tail.connection().isConnected() && tail.sinceNanos() > oldest) {
                    break;
                }
                if (queue.removeLastOccurrence(tail)) {
                    tail.connection().closeResource();
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        reaper.shutdownNow();
        for (ConcurrentLinkedDeque<Idle> queue : idle.values()) {
            for (Idle entry = queue.pollFirst(); entry != null; entry = queue.pollFirst()) {
                entry.connection().closeResource();
            }
        }
    }
}
