package io.tollgate.gateway.proxy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Deadlines of requests waiting on upstream HTTP/2 streams, kept by one ticking thread: the HTTP/2 counterpart of
 * {@link ReadTimeouts}.
 *
 * <p>Why: a request waiting for its stream's next frame used to poll Helidon's stream in timed slices, and every
 * timed park of a virtual thread arms and cancels a timer in the virtual-thread scheduler (about a tenth of the
 * node's CPU per gRPC call, profiled with async-profiler). Now a waiting request parks without a timeout
 * ({@link Http2Connections.UpstreamStream#await}); the connection's reader wakes it when a frame for it arrived, and
 * this class looks at every open stream each {@link #TICK} and wakes the ones whose wait is past its deadline or
 * whose connection went away. The waiter then gives up (cancelling its stream, not the shared connection), so a
 * timeout fires up to one tick late.
 */
final class StreamDeadlines implements AutoCloseable {
    static final long TICK = TimeUnit.MILLISECONDS.toNanos(5);

    private final Set<Http2Connections.UpstreamStream> open = ConcurrentHashMap.newKeySet();
    private final Thread ticker;
    private volatile boolean closed;

    StreamDeadlines() {
        ticker = Thread.ofPlatform().daemon().name("tollgate-upstream-h2-deadlines").start(this::run);
    }

    void watch(Http2Connections.UpstreamStream stream) {
        open.add(stream);
    }

    void unwatch(Http2Connections.UpstreamStream stream) {
        open.remove(stream);
    }

    /** Streams watched now (leased and not released). */
    int watchedCount() {
        return open.size();
    }

    private void run() {
        while (!closed) {
            LockSupport.parkNanos(TICK);
            long now = System.nanoTime();
            for (Http2Connections.UpstreamStream stream : open) {
                stream.wakeIfLate(now);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(ticker);
    }
}
