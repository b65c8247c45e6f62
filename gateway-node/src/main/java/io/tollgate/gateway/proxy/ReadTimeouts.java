package io.tollgate.gateway.proxy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Read timeouts of upstream HTTP/1.1 connections, kept by one ticking thread instead of a timer per blocking read.
 *
 * <p>Why: a virtual thread blocked in a socket read with {@code SO_TIMEOUT} arms a timer in the virtual-thread
 * scheduler before it parks and cancels it when the bytes come. Both wake the scheduler's timer thread, and with a
 * request's answer usually arriving within a millisecond that was about a tenth of the node's CPU per proxied
 * request (bench/gateway-overhead, profiled with async-profiler). Here a read only writes its deadline into the
 * connection; this class looks at every watched connection each {@link #TICK} and closes the ones whose read is
 * past its deadline, and the blocked read then fails as a {@link java.net.SocketTimeoutException}
 * ({@link UpstreamConnection#expireIfLate}). A timeout therefore fires up to one tick late.
 */
final class ReadTimeouts implements AutoCloseable {
    static final long TICK = TimeUnit.MILLISECONDS.toNanos(5);
    private static final System.Logger LOG = System.getLogger(ReadTimeouts.class.getName());

    private final Set<UpstreamConnection> watched = ConcurrentHashMap.newKeySet();
    private final Thread ticker;
    private volatile boolean closed;

    ReadTimeouts() {
        ticker = Thread.ofPlatform().daemon().name("tollgate-upstream-read-timeouts").start(this::run);
    }

    void watch(UpstreamConnection connection) {
        watched.add(connection);
    }

    void unwatch(UpstreamConnection connection) {
        watched.remove(connection);
    }

    /** How many connections are watched now (open, not handed over to a tunnel). */
    int watchedCount() {
        return watched.size();
    }

    private void run() {
        while (!closed) {
            LockSupport.parkNanos(TICK);
            long now = System.nanoTime();
            for (UpstreamConnection connection : watched) {
                try {
                    connection.expireIfLate(now);
                } catch (RuntimeException e) {
                    // this thread must outlive any one connection: without it no upstream read would time out
                    LOG.log(System.Logger.Level.WARNING, "could not expire an upstream read", e);
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(ticker);
    }
}
