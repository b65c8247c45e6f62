package io.tollgate.gateway.proxy;

import io.tollgate.gateway.loop.EventLoop;
import io.tollgate.gateway.snapshot.UpstreamPool;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One event loop's keep-alive connections to plain-http upstream targets ({@link LoopConnection}), per host and
 * port; touched by that loop's thread only. Most recently used first; a connection idle for longer than
 * {@link UpstreamConnections#MAX_IDLE} is closed by a once-a-second sweep, and at most
 * {@link #MAX_IDLE_PER_TARGET} are kept per target (as the blocking pool does).
 */
final class LoopConnections implements AutoCloseable {
    private static final int MAX_IDLE_PER_TARGET = 256;

    record Key(String host, int port) {
        static Key of(UpstreamPool.Target target) {
            return new Key(target.host(), target.port());
        }
    }

    private final EventLoop loop;
    /** How long a looked-up address is used: the JDK's own default for a successful lookup. */
    private static final long RESOLVED_FOR_NANOS = TimeUnit.SECONDS.toNanos(30);

    private record Resolved(InetSocketAddress address, long untilNanos) {
    }

    private final Map<Key, ArrayDeque<LoopConnection>> idle = new HashMap<>();
    private final Map<Key, Resolved> resolved = new HashMap<>();
    private final HeadBuffer head = new HeadBuffer();
    private boolean closed;

    LoopConnections(EventLoop loop) {
        this.loop = loop;
        loop.own(this);
        loop.schedule(TimeUnit.SECONDS.toNanos(1), this::sweep);
    }

    EventLoop loop() {
        return loop;
    }

    /** The loop's buffer for building a request head: one request is built at a time on a loop thread. */
    HeadBuffer head() {
        return head;
    }

    /**
     * The address of {@code key}, given to {@code then} on the loop thread: at once for an IP literal or an address
     * looked up less than 30 s ago, else after a look-up on a virtual thread — a name service can take seconds,
     * which the loop's other connections must not wait for. A name that does not resolve goes to {@code failed}.
     */
    void resolve(Key key, Consumer<InetSocketAddress> then, Consumer<IOException> failed) {
        if (literal(key.host())) {
            then.accept(new InetSocketAddress(key.host(), key.port()));
            return;
        }
        Resolved known = resolved.get(key);
        if (known != null && known.untilNanos() - System.nanoTime() > 0) {
            then.accept(known.address());
            return;
        }
        Thread.ofVirtual().name("tollgate-resolve").start(() -> {
            try {
                InetAddress address = InetAddress.getByName(key.host());
                loop.execute(() -> {
                    InetSocketAddress socketAddress = new InetSocketAddress(address, key.port());
                    resolved.put(key, new Resolved(socketAddress, System.nanoTime() + RESOLVED_FOR_NANOS));
                    then.accept(socketAddress);
                });
            } catch (UnknownHostException e) {
                loop.execute(() -> failed.accept(new java.net.ConnectException("unknown host " + key.host())));
            } catch (RuntimeException e) {
                loop.execute(() -> failed.accept(new IOException("looking up " + key.host() + " failed", e)));
            }
        });
    }

    /** An IPv4 dotted quad or an IPv6 literal: InetSocketAddress parses it without a look-up. */
    static boolean literal(String host) {
        if (host.indexOf(':') >= 0) {
            return true;
        }
        int dots = 0;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c == '.') {
                dots++;
            } else if (c < '0' || c > '9') {
                return false;
            }
        }
        return dots == 3;
    }

    /** The most recently used idle connection to {@code key}, or null. */
    LoopConnection take(Key key) {
        ArrayDeque<LoopConnection> queue = idle.get(key);
        if (queue == null) {
            return null;
        }
        for (LoopConnection connection = queue.pollFirst(); connection != null; connection = queue.pollFirst()) {
            if (connection.idle()) {
                return connection;
            }
        }
        return null;
    }

    void release(LoopConnection connection) {
        ArrayDeque<LoopConnection> queue = idle.computeIfAbsent(connection.target, k -> new ArrayDeque<>());
        if (closed || queue.size() >= MAX_IDLE_PER_TARGET) {
            connection.close();
            return;
        }
        connection.idleSinceNanos = System.nanoTime();
        queue.offerFirst(connection);
    }

    void remove(LoopConnection connection) {
        ArrayDeque<LoopConnection> queue = idle.get(connection.target);
        if (queue != null) {
            queue.remove(connection);
        }
    }


    private void sweep() {
        if (closed) {
            return;
        }
        long oldest = System.nanoTime() - UpstreamConnections.MAX_IDLE.toNanos();
        for (Iterator<ArrayDeque<LoopConnection>> queues = idle.values().iterator(); queues.hasNext(); ) {
            ArrayDeque<LoopConnection> queue = queues.next();
            // the tail holds the longest idle
            for (LoopConnection tail = queue.peekLast(); tail != null; tail = queue.peekLast()) {
                if (tail.idle() && tail.idleSinceNanos - oldest > 0) {
                    break;
                }
                queue.pollLast();
                tail.close();
            }
            if (queue.isEmpty()) {
                queues.remove();
            }
        }
        loop.schedule(TimeUnit.SECONDS.toNanos(1), this::sweep);
    }

    @Override
    public void close() {
        closed = true;
        for (ArrayDeque<LoopConnection> queue : idle.values()) {
            queue.forEach(LoopConnection::close);
        }
        idle.clear();
    }
}
