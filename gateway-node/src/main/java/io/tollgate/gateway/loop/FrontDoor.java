package io.tollgate.gateway.loop;

import io.tollgate.gateway.http.Drain;
import io.tollgate.gateway.pipeline.Pipeline;
import io.tollgate.gateway.snapshot.SnapshotHolder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's plain-HTTP port, served by a few event loops instead of a virtual thread per connection: one
 * thread accepts and deals connections out to the loops in turn; each loop serves the HTTP/1.1 requests it can
 * ({@link ClientConnection}) and hands every other connection to Helidon ({@link Handover}). A connection idle for
 * longer than the idle timeout between requests is closed.
 *
 * <p>Why: a blocking read on a virtual thread parks it, re-arms the socket in the JDK's poller and later moves
 * the thread back onto a carrier; a proxied request does that twice (client, upstream). Measured on this project's
 * 2-core machine, a minimal proxy in that style costs about 45 us of CPU per request against about 25 us for a
 * minimal selector loop; the gateway's own work comes on top of either (BENCHMARKS.md, issue 3).
 */
public final class FrontDoor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FrontDoor.class.getName());
    /** The longest a request head may take to arrive, from its first byte (or the idle timeout, if shorter). */
    static final long HEAD_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final ServerSocketChannel server;
    private final List<EventLoop> loops = new ArrayList<>();
    /** Each loop's connections, touched only by that loop's thread (the map itself never changes). */
    private final Map<EventLoop, Set<ClientConnection>> connections = new IdentityHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final Pipeline pipeline;
    private final SnapshotHolder snapshots;
    private final Drain drain;
    private final Forwarder forwarder;
    private final Handover handover;
    private final Dates dates = new Dates();
    private final long idleTimeoutNanos;
    private final Thread acceptor;
    private volatile boolean closed;

    /**
     * Binds {@code host:port} (0: any free port) and starts {@code loopCount} loops and the accepting thread.
     */
    public FrontDoor(String host, int port, int loopCount, Duration idleTimeout, Pipeline pipeline,
                     SnapshotHolder snapshots, Drain drain, Forwarder forwarder, Handover handover) {
        this.pipeline = pipeline;
        this.snapshots = snapshots;
        this.drain = drain;
        this.forwarder = forwarder;
        this.handover = handover;
        this.idleTimeoutNanos = idleTimeout.toNanos();
        try {
            server = ServerSocketChannel.open();
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress(host, port), 1024);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host + ":" + port, e);
        }
        for (int i = 0; i < loopCount; i++) {
            EventLoop loop = new EventLoop("tollgate-loop-" + i);
            loops.add(loop);
            connections.put(loop, new HashSet<>());
            loop.execute(() -> sweepEvery(loop, Math.min(TimeUnit.SECONDS.toNanos(1), idleTimeoutNanos)));
        }
        acceptor = Thread.ofPlatform().name("tollgate-accept").daemon(true).start(this::accept);
    }

    public int port() {
        return server.socket().getLocalPort();
    }

    /** Client connections the loops serve now (handed-over ones are {@link Handover#active()}). */
    public int openConnections() {
        return open.get();
    }

    private void accept() {
        int next = 0;
        while (!closed) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    // e.g. out of file descriptors: do not spin on it
                    LOG.log(System.Logger.Level.WARNING, "accepting a connection failed: " + e.getMessage());
                    pause();
                }
                continue;
            }
            EventLoop loop = loops.get(next);
            next = (next + 1) % loops.size();
            try {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                String address = ((InetSocketAddress) channel.getRemoteAddress()).getAddress().getHostAddress();
                ClientConnection connection = new ClientConnection(this, loop, channel, address);
                loop.execute(connection::start);
            } catch (IOException | RuntimeException e) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // the client is gone already
                }
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sweepEvery(EventLoop loop, long periodNanos) {
        long now = System.nanoTime();
        long headNanos = Math.min(idleTimeoutNanos, HEAD_TIMEOUT_NANOS);
        List<ClientConnection> expired = new ArrayList<>();
        for (ClientConnection connection : connections.get(loop)) {
            if (connection.overdue(now, idleTimeoutNanos, headNanos)) {
                expired.add(connection);
            }
        }
        expired.forEach(ClientConnection::close);
        loop.schedule(periodNanos, () -> sweepEvery(loop, periodNanos));
    }

    /** Loop thread of {@code loop}. */
    void opened(EventLoop loop, ClientConnection connection) {
        if (connections.get(loop).add(connection)) {
            open.incrementAndGet();
        }
    }

    /** Loop thread of {@code loop}. */
    void closed(EventLoop loop, ClientConnection connection) {
        if (connections.get(loop).remove(connection)) {
            open.decrementAndGet();
        }
    }

    Pipeline pipeline() {
        return pipeline;
    }

    SnapshotHolder snapshots() {
        return snapshots;
    }

    Drain drain() {
        return drain;
    }

    Forwarder forwarder() {
        return forwarder;
    }

    Handover handover() {
        return handover;
    }

    Dates dates() {
        return dates;
    }

    /**
     * Stops accepting and closes every connection the loops serve (the drain has let the requests in flight
     * finish before this is called); handed-over connections end with Helidon.
     */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        acceptor.interrupt();
        for (EventLoop loop : loops) {
            loop.close();
        }
    }
}
