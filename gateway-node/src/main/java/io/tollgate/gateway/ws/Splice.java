package io.tollgate.gateway.ws;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;
import io.tollgate.gateway.pipeline.Completion;
import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.Tunnel;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client's connection after a 101: two virtual threads copy raw bytes (no frame parsing), client to upstream
 * and upstream to client, while the connection's own thread watches. When either side closes or fails, or no byte
 * moved either way for the idle timeout, both sides are closed (the client's by Helidon, once {@link #handle}
 * returns). The exchange is completed then, with status 101 and the bytes each way, which is when the access log
 * line is written; the gauge counts the splice while it runs.
 */
final class Splice implements ServerConnection {
    private static final System.Logger LOG = System.getLogger(Splice.class.getName());
    private static final int BUFFER = 16 * 1024;

    private final ConnectionContext ctx;
    private final Tunnel tunnel;
    private final Exchange exchange;
    private final Duration idleTimeout;
    private final WebSocketMetrics metrics;
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicLong lastActivity = new AtomicLong(System.nanoTime());
    private final AtomicLong fromClient = new AtomicLong();
    private final AtomicLong toClient = new AtomicLong();

    Splice(ConnectionContext ctx, Tunnel tunnel, Exchange exchange, Duration idleTimeout, WebSocketMetrics metrics) {
        this.ctx = ctx;
        this.tunnel = tunnel;
        this.exchange = exchange;
        this.idleTimeout = idleTimeout;
        this.metrics = metrics;
    }

    /** A connection whose answer was already written: Helidon closes it at once. */
    static ServerConnection ended() {
        return new ServerConnection() {
            @Override
            public void handle(Limit limit) {
            }

            @Override
            public Duration idleTime() {
                return Duration.ZERO;
            }

            @Override
            public void close(boolean interrupt) {
            }
        };
    }

    @Override
    public void handle(Limit limit) throws InterruptedException {
        metrics.opened();
        Thread up = null;
        Thread down = null;
        try {
            up = Thread.ofVirtual().name("ws-up-" + exchange.requestId()).start(this::clientToUpstream);
            down = Thread.ofVirtual().name("ws-down-" + exchange.requestId()).start(this::upstreamToClient);
            long timeout = idleTimeout.toNanos();
            while (true) {
                long idle = System.nanoTime() - lastActivity.get();
                if (idle >= timeout) {
                    LOG.log(System.Logger.Level.DEBUG, () -> "WebSocket " + exchange.requestId() + " idle, closed");
                    break;
                }
                if (done.await(timeout - idle, TimeUnit.NANOSECONDS)) {
                    break;
                }
            }
        } finally {
            tunnel.close();   // the upstream side now; the client's when this method returns
            if (up != null) {
                up.interrupt();
            }
            metrics.closed();
            exchange.complete(new Completion(101, fromClient.get(), toClient.get(), false));
        }
    }

    private void clientToUpstream() {
        try {
            DataReader reader = ctx.dataReader();
            OutputStream out = tunnel.out();
            while (done.getCount() > 0) {
                BufferData data = reader.readBuffer();   // blocks; throws when the client has gone
                int n = data.available();
                if (n == 0) {
                    continue;
                }
                data.writeTo(out);
                out.flush();
                fromClient.addAndGet(n);
                lastActivity.set(System.nanoTime());
            }
        } catch (Exception e) {
            LOG.log(System.Logger.Level.TRACE, () -> "WebSocket client side ended: " + e);
        } finally {
            done.countDown();
        }
    }

    private void upstreamToClient() {
        try {
            DataWriter writer = ctx.dataWriter();
            byte[] buffered = tunnel.buffered();
            if (buffered.length > 0) {
                writer.writeNow(BufferData.create(buffered));
                toClient.addAndGet(buffered.length);
            }
            InputStream in = tunnel.in();
            byte[] buffer = new byte[BUFFER];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (n == 0) {
                    continue;
                }
                writer.writeNow(BufferData.create(Arrays.copyOf(buffer, n)));
                toClient.addAndGet(n);
                lastActivity.set(System.nanoTime());
            }
        } catch (Exception e) {
            LOG.log(System.Logger.Level.TRACE, () -> "WebSocket upstream side ended: " + e);
        } finally {
            done.countDown();
        }
    }

    @Override
    public Duration idleTime() {
        return Duration.ofNanos(System.nanoTime() - lastActivity.get());
    }

    @Override
    public void close(boolean interrupt) {
        tunnel.close();
        done.countDown();
    }
}
