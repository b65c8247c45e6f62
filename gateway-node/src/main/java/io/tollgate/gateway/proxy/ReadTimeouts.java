package io.tollgate.gateway.proxy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Deadlines of waits on upstreams, kept by one ticking thread instead of a timer per wait: reads of HTTP/1.1
 * connections ({@link UpstreamConnection}) and requests waiting on HTTP/2 streams
 * ({@link Http2Connections.UpstreamStream}), one instance each.
 *
 * <p>Why: a virtual thread that blocks with a timeout (a socket read with {@code SO_TIMEOUT}, a timed park) arms a
 * timer in the virtual-thread scheduler before it parks and cancels it when it is woken. Both wake the scheduler's
 * timer thread, and with an answer usually arriving within a millisecond that was about a tenth of the node's CPU
 * per proxied request or gRPC call (bench/gateway-overhead, bench/grpc-h2, profiled with async-profiler). Here a
 * wait only writes its deadline where its {@link Watched} can see it and blocks without a timeout; each
 * {@link #TICK} this class tells every watched one the time, and one past its deadline ends its wait (an HTTP/1.1
 * connection is closed, so its read fails as a {@link java.net.SocketTimeoutException}; an HTTP/2 waiter is woken and
 * cancels its stream alone). A timeout therefore fires up to one tick late.
 */
final class ReadTimeouts implements AutoCloseable {
    static final long TICK = TimeUnit.MILLISECONDS.toNanos(5);
    private static final System.Logger LOG = System.getLogger(ReadTimeouts.class.getName());

    /** Something that may be waiting with a deadline. */
    interface Watched {
        /** Each tick: ends the wait going on when {@code now} ({@link System#nanoTime}) is past its deadline. */
        void checkDeadline(long now);
    }

    private final Set<Watched> watched = ConcurrentHashMap.newKeySet();
    private final Thread ticker;
    private volatile boolean closed;
    /** The ticker is parked (or about to park) until something is watched. */
    private volatile boolean idle;

    /** Starts the ticker, a platform daemon thread called {@code threadName}. */
    ReadTimeouts(String threadName) {
        ticker = Thread.ofPlatform().daemon().name(threadName).start(this::run);
    }

    void watch(Watched waiter) {
        watched.add(waiter);
        if (idle) {
            LockSupport.unpark(ticker);
        }
    }

    void unwatch(Watched waiter) {
        watched.remove(waiter);
    }

    /** How many are watched now (open connections, leased streams). */
    int watchedCount() {
        return watched.size();
    }

    private void run() {
        while (!closed) {
            if (watched.isEmpty()) {
                // Nothing to watch (a node whose HTTP/1.1 upstream traffic all goes through the event loops): no
                // tick, whose wake-up costs CPU 200 times a second for nothing. watch() wakes it: it sees idle
                // set before this second look, or this look sees what it added.
                idle = true;
                if (watched.isEmpty() && !closed) {
                    LockSupport.park(this);
                }
                idle = false;
                continue;
            }
            LockSupport.parkNanos(TICK);
            long now = System.nanoTime();
            for (Watched waiter : watched) {
                try {
                    waiter.checkDeadline(now);
                } catch (RuntimeException e) {
                    // this thread must outlive any one of them: without it no upstream wait would time out
                    LOG.log(System.Logger.Level.WARNING, "could not end an upstream wait past its deadline", e);
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
