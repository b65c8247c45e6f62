package io.tollgate.gateway.http;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.task.InterruptableTask;
import io.helidon.http.HttpPrologue;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.spi.Http1Upgrader;
import io.helidon.webserver.http2.Http2Config;
import io.helidon.webserver.http2.Http2ConnectionSelector;
import io.helidon.webserver.http2.Http2Upgrader;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The HTTP/2 connections clients hold to this node (h2c with prior knowledge on the plain port, h2 by ALPN on the
 * HTTPS listener), so that a drain can tell each of them GOAWAY. Helidon 4.5 offers no hook for that: its HTTP/2
 * connection sends GOAWAY only as it closes, with last-stream-id 0, under streams still open. So each listener gets
 * {@link #selector()}, placed before the one Helidon discovers (configured selectors are asked first, for the
 * connection preface and for ALPN alike): it is Helidon's own HTTP/2 selector, run on a {@link ClientConnection}
 * context whose writer can add a GOAWAY between frames, and it keeps the connection here while it runs.
 *
 * <p>Connections upgraded from HTTP/1.1 ({@code Upgrade: h2c}) are tracked the same way through
 * {@link #upgrader()}, Helidon's HTTP/2 upgrader run on a {@link ClientConnection} (see {@link H2cUpgradeProvider}).
 */
final class Http2Clients {
    private final ConcurrentHashMap<String, ClientConnection> open = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private volatile Phase phase = Phase.SERVING;

    private enum Phase { SERVING, NOTICE, FINAL }

    /** A connection selector for one listener (Helidon's HTTP/2 one, tracked). */
    ServerConnectionSelector selector() {
        return new Selector(Http2ConnectionSelector.builder().http2Config(Http2Config.create()).build());
    }

    /** The {@code Upgrade: h2c} upgrader for one listener (Helidon's, tracked like the selector's connections). */
    Http1Upgrader upgrader() {
        Http2Upgrader helidon = Http2Upgrader.create(Http2Config.create());
        return new Http1Upgrader() {
            @Override
            public String supportedProtocol() {
                return helidon.supportedProtocol();
            }

            @Override
            public ServerConnection upgrade(ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers) {
                ClientConnection client = new ClientConnection(ctx, sequence.incrementAndGet());
                ServerConnection connection = helidon.upgrade(client, prologue, headers);
                return connection == null ? null
                        : new Tracked(key(client.socketId(), client.childSocketId()), client, connection);
            }
        };
    }

    /** The connection a request came on, by Helidon's server socket id and our connection id; null if unknown. */
    ClientConnection find(String serverSocketId, String connectionId) {
        return open.get(key(serverSocketId, connectionId));
    }

    /** Every connection, and every one opened from now on, gets the shutdown notice (GOAWAY 2^31-1). */
    void notice() {
        if (phase == Phase.SERVING) {
            phase = Phase.NOTICE;
        }
        open.values().forEach(ClientConnection::notice);
    }

    /** Every connection, and every one opened from now on, gets its final GOAWAY. */
    void finalGoAway() {
        phase = Phase.FINAL;
        open.values().forEach(ClientConnection::finalGoAway);
    }

    int size() {
        return open.size();
    }

    private void opened(String key, ClientConnection connection) {
        open.put(key, connection);
        // a connection opened while draining is told at once (the phase is set before connections are walked,
        // so one registered concurrently is told either here or by the walk; twice does no harm)
        switch (phase) {
            case NOTICE -> connection.notice();
            case FINAL -> connection.finalGoAway();
            default -> {
            }
        }
    }

    private static String key(String serverSocketId, String connectionId) {
        return serverSocketId + " " + connectionId;
    }

    private final class Selector implements ServerConnectionSelector {
        private final Http2ConnectionSelector helidon;

        Selector(Http2ConnectionSelector helidon) {
            this.helidon = helidon;
        }

        @Override
        public int bytesToIdentifyConnection() {
            return helidon.bytesToIdentifyConnection();
        }

        @Override
        public Support supports(BufferData data) {
            return helidon.supports(data);
        }

        @Override
        public Set<String> supportedApplicationProtocols() {
            return helidon.supportedApplicationProtocols();
        }

        @Override
        public ServerConnection connection(ConnectionContext ctx) {
            ClientConnection client = new ClientConnection(ctx, sequence.incrementAndGet());
            String key = key(client.socketId(), client.childSocketId());
            ServerConnection connection = helidon.connection(client);
            return new Tracked(key, client, connection);
        }
    }

    /**
     * Helidon's connection, registered while it runs. Stays an {@link InterruptableTask} as Helidon's is: the
     * listener asks it whether the connection is between streams before interrupting it.
     */
    private final class Tracked implements ServerConnection, InterruptableTask<Void> {
        private final String key;
        private final ClientConnection client;
        private final ServerConnection connection;

        Tracked(String key, ClientConnection client, ServerConnection connection) {
            this.key = key;
            this.client = client;
            this.connection = connection;
        }

        @Override
        public void handle(Limit limit) throws InterruptedException {
            opened(key, client);
            try {
                connection.handle(limit);
            } finally {
                open.remove(key);
            }
        }

        @Override
        public void handle(Semaphore requestSemaphore) throws InterruptedException {
            opened(key, client);
            try {
                connection.handle(requestSemaphore);
            } finally {
                open.remove(key);
            }
        }

        @Override
        public Duration idleTime() {
            return connection.idleTime();
        }

        @Override
        public void close(boolean interrupt) {
            connection.close(interrupt);
        }

        @Override
        public boolean canInterrupt() {
            return !(connection instanceof InterruptableTask<?> task) || task.canInterrupt();
        }
    }
}
