package io.tollgate.gateway.proxy;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.SocketOptions;
import io.helidon.common.socket.TlsSocket;
import io.helidon.common.tls.Tls;
import io.helidon.http.http2.Http2ErrorCode;
import io.helidon.http.http2.Http2FrameListener;
import io.helidon.http.http2.Http2RstStream;
import io.helidon.http.http2.Http2Settings;
import io.helidon.webclient.api.ClientConnection;
import io.helidon.webclient.api.ConnectionKey;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.api.TcpClientConnection;
import io.helidon.webclient.api.WebClient;
import io.helidon.webclient.http2.Http2Client;
import io.helidon.webclient.http2.Http2ClientConnection;
import io.helidon.webclient.http2.Http2ClientImpl;
import io.helidon.webclient.http2.Http2ClientStream;
import io.helidon.webclient.http2.Http2StreamConfig;
import io.tollgate.gateway.snapshot.UpstreamPool;
import io.tollgate.gateway.tls.UpstreamTls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * HTTP/2 connections to upstream targets (services with protocol {@code h2c}, {@code h2} or {@code grpc}), opened
 * with prior knowledge (http targets) or over TLS with ALPN h2 (https targets), and shared by many concurrent
 * requests: each request is one stream, a connection carries at most {@link #MAX_STREAMS} at a time, and a new
 * connection is opened only when every open one is full.
 *
 * <p>Why not Helidon's {@code Http2Client} requests: they write the whole request body before reading the answer
 * (no bidirectional gRPC), and hand out response trailers only when the upstream sent a {@code Trailer} header,
 * which gRPC servers do not. So this class uses the client's connection ({@link Http2ClientConnection}: framing,
 * HPACK, flow control, SETTINGS) and opens streams itself through {@link Http2ClientStream}'s protected
 * constructor — the way Helidon's own gRPC client does. Streams are opened without asking Helidon's connection for
 * a slot, so this class enforces the per-connection limit; {@link #MAX_STREAMS} is below the 100 that RFC 9113
 * recommends servers allow, and a server that allows fewer answers REFUSED_STREAM, which the proxy retries.
 *
 * <p>Helidon's connection closes itself on GOAWAY or a broken socket without telling the streams; callers poll
 * their streams in short slices and ask {@link Lease#alive()} between them. Connections without streams for
 * {@link #MAX_IDLE} are closed by a reaper, and every connection this class drops is closed.
 *
 * <p>TLS: the socket and its verified handshake come from {@link UpstreamTls} (Helidon's own TLS client connection
 * would take the name to verify and send as SNI from a reverse lookup of the resolved address), wrapped as a
 * Helidon {@link ClientConnection} ({@link TlsConnection}). A server that does not select h2 by ALPN is a connect
 * failure: speaking HTTP/2 to an HTTP/1.1 server would fail less clearly, request by request.
 */
final class Http2Connections implements AutoCloseable {
    static final int MAX_STREAMS = 64;
    static final Duration MAX_IDLE = Duration.ofSeconds(30);
    /** How long a stream waits for a frame before its reader looks at the deadline and the connection again. */
    static final Duration POLL_SLICE = Duration.ofMillis(100);
    private static final Tls NO_TLS = Tls.builder().enabled(false).build();
    private static final Http2FrameListener NO_LISTENER = Http2FrameListener.create(List.of());
    private static final Http2StreamConfig STREAM_CONFIG = new Http2StreamConfig() {
        @Override
        public boolean priorKnowledge() {
            return true;
        }

        @Override
        public int priority() {
            return 0;
        }

        @Override
        public Duration readTimeout() {
            return POLL_SLICE;
        }
    };

    private record Key(String host, int port, boolean tls, Duration connectTimeout) {
    }

    /** One TCP (or TLS) connection speaking HTTP/2, and how many streams it carries now. */
    private static final class Connection {
        final ClientConnection tcp;
        final Http2ClientConnection http2;
        final Http2ClientImpl client;
        final AtomicInteger streams = new AtomicInteger();
        volatile long idleSince = System.nanoTime();
        volatile boolean broken;

        Connection(ClientConnection tcp, Http2ClientConnection http2, Http2ClientImpl client) {
            this.tcp = tcp;
            this.http2 = http2;
            this.client = client;
        }

        boolean usable() {
            return !broken && tcp.isConnected();
        }

        /** Takes a stream slot when one is free. */
        boolean tryTake() {
            while (true) {
                int n = streams.get();
                if (n >= MAX_STREAMS) {
                    return false;
                }
                if (streams.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
        }

        void giveBack() {
            if (streams.decrementAndGet() == 0) {
                idleSince = System.nanoTime();
            }
        }

        void close() {
            broken = true;
            try {
                http2.close();
            } catch (RuntimeException ignored) {
                // already closed by the peer
            }
            tcp.closeResource();
        }
    }

    /** One request's stream on a shared connection; {@link #release()} gives the slot back (once). */
    static final class Lease {
        private final Connection connection;
        private final boolean reused;
        private final UpstreamStream stream;
        private boolean released;

        private Lease(Connection connection, boolean reused) {
            this.connection = connection;
            this.reused = reused;
            this.stream = new UpstreamStream(connection);
        }

        UpstreamStream stream() {
            return stream;
        }

        /** True when the connection existed before this request (then a failure may be its age, not the target). */
        boolean reused() {
            return reused;
        }

        /** False once the connection broke or the peer closed it. */
        boolean alive() {
            return connection.usable();
        }

        /** Marks the connection unusable for new streams: it failed in a way a stream reset does not explain. */
        void discardConnection() {
            connection.broken = true;
        }

        synchronized void release() {
            if (released) {
                return;
            }
            released = true;
            try {
                stream.close();
            } finally {
                connection.giveBack();
            }
        }
    }

    /** A client stream that remembers the error code of a RST_STREAM from the upstream. */
    static final class UpstreamStream extends Http2ClientStream {
        private volatile Http2ErrorCode resetCode;

        private UpstreamStream(Connection connection) {
            super(connection.http2, Http2Settings.create(), connection.tcp.helidonSocket(), STREAM_CONFIG,
                    connection.client.prototype(), connection.http2.streamIdSequence(), NO_LISTENER, NO_LISTENER);
        }

        @Override
        public boolean rstStream(Http2RstStream rstStream) {
            resetCode = rstStream.errorCode();
            if (resetCode == Http2ErrorCode.NO_ERROR) {
                // RFC 9113 section 8.1: a server that has answered in full may reset with NO_ERROR only to stop the
                // request body (grpc-go does after a unary answer). The answer stands; Helidon's stream would drop
                // the frames still queued (the trailers), so the reset is not passed on.
                return false;
            }
            return super.rstStream(rstStream);
        }

        /** True once the upstream reset the stream, with any code: it reads nothing more of the request. */
        boolean resetByPeer() {
            return resetCode != null;
        }

        /** The upstream's RST_STREAM code, or null when it sent none. */
        Http2ErrorCode resetCode() {
            return resetCode;
        }
    }

    private final ConcurrentHashMap<Duration, WebClient> clients = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, CopyOnWriteArrayList<Connection>> open = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, ReentrantLock> connecting = new ConcurrentHashMap<>();
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(
            runnable -> Thread.ofPlatform().daemon().name("tollgate-upstream-h2-reaper").unstarted(runnable));
    private volatile boolean closed;
    private final UpstreamTls tls;

    /** With {@code tls} for https targets. */
    Http2Connections(UpstreamTls tls) {
        this.tls = tls;
        reaper.scheduleWithFixedDelay(this::reap, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * A stream slot on a connection to {@code target}, connecting when no open connection has one free.
     *
     * @throws RuntimeException when the target cannot be connected (nothing of the request was sent)
     */
    Lease borrow(UpstreamPool.Target target, Duration connectTimeout) {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        Key key = new Key(target.host(), target.port(), target.tls(), connectTimeout);
        CopyOnWriteArrayList<Connection> connections = open.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>());
        Lease lease = tryExisting(connections);
        if (lease != null) {
            return lease;
        }
        // one connect at a time per target: requests arriving together share the new connection
        ReentrantLock lock = connecting.computeIfAbsent(key, k -> new ReentrantLock());
        lock.lock();
        try {
            lease = tryExisting(connections);
            if (lease != null) {
                return lease;
            }
            Connection connection = connect(target, connectTimeout);
            connection.streams.incrementAndGet();
            connections.add(connection);
            return new Lease(connection, false);
        } finally {
            lock.unlock();
        }
    }

    private static Lease tryExisting(CopyOnWriteArrayList<Connection> connections) {
        for (Connection connection : connections) {
            if (!connection.usable()) {
                if (connections.remove(connection)) {
                    connection.close();
                }
                continue;
            }
            if (connection.tryTake()) {
                return new Lease(connection, true);
            }
        }
        return null;
    }

    private Connection connect(UpstreamPool.Target target, Duration connectTimeout) {
        WebClient client = clients.computeIfAbsent(connectTimeout, Http2Connections::webClient);
        Http2ClientImpl http2Client = (Http2ClientImpl) client.client(Http2Client.PROTOCOL);
        ClientConnection tcp;
        if (target.tls()) {
            tcp = TlsConnection.open(tls, target, connectTimeout, client.prototype().socketOptions());
        } else {
            ConnectionKey connectionKey = ConnectionKey.create("http", target.host(), target.port(), NO_TLS,
                    client.prototype().dnsResolver(), client.prototype().dnsAddressLookup(), Proxy.noProxy());
            tcp = TcpClientConnection.create(client, connectionKey, List.of(), c -> false, c -> { }).connect();
        }
        try {
            // sends the preface and our SETTINGS, then waits for the server's SETTINGS
            Http2ClientConnection http2 = Http2ClientConnection.create(http2Client, tcp, true);
            return new Connection(tcp, http2, http2Client);
        } catch (RuntimeException e) {
            tcp.closeResource();
            throw e;
        }
    }

    private static WebClient webClient(Duration connectTimeout) {
        return WebClient.builder()
                .proxy(Proxy.noProxy())
                .followRedirects(false)
                .shareConnectionCache(false)
                .connectTimeout(connectTimeout)
                // without TCP_NODELAY small HTTP/2 frames wait ~40 ms for the peer's delayed ACK
                .socketOptions(s -> s.tcpNoDelay(true).connectTimeout(connectTimeout))
                .addProtocolConfig(io.helidon.webclient.http2.Http2ClientProtocolConfig.builder()
                        .priorKnowledge(true)
                        .ping(false)
                        .initialWindowSize(1024 * 1024)
                        .build())
                .build();
    }

    /**
     * A TLS connection for Helidon's HTTP/2 client: our verified socket, Helidon's socket wrapper and reader, and
     * a writer that writes at once (HTTP/2 frames are written whole by the connection's writer lock).
     */
    private static final class TlsConnection implements ClientConnection {
        private static final List<String> ALPN = List.of("h2");
        private final SSLSocket socket;
        private final HelidonSocket helidonSocket;
        private final DataReader reader;
        private final DataWriter writer;
        private final String channelId;
        private volatile boolean closed;

        private TlsConnection(SSLSocket socket) {
            this.socket = socket;
            this.channelId = "0x" + Integer.toHexString(System.identityHashCode(socket));
            this.helidonSocket = TlsSocket.client(socket, channelId);
            this.reader = DataReader.create(helidonSocket);
            this.writer = new DataWriter() {
                @Override
                public void write(BufferData... buffers) {
                    writeNow(buffers);
                }

                @Override
                public void write(BufferData buffer) {
                    writeNow(buffer);
                }

                @Override
                public void writeNow(BufferData... buffers) {
                    for (BufferData buffer : buffers) {
                        helidonSocket.write(buffer);
                    }
                }

                @Override
                public void writeNow(BufferData buffer) {
                    helidonSocket.write(buffer);
                }
            };
        }

        /** Connects and shakes hands; a server that does not select h2 is refused with an SSLException saying so. */
        static TlsConnection open(UpstreamTls tls, UpstreamPool.Target target, Duration connectTimeout,
                                  SocketOptions options) {
            SSLSocket socket;
            try {
                socket = tls.connect(target.host(), target.port(), connectTimeout, ALPN, options::configureSocket);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String selected = socket.getApplicationProtocol();
            if (!"h2".equals(selected)) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // refused anyway
                }
                throw new UncheckedIOException(new SSLException("the upstream did not select "
                        + "HTTP/2 by ALPN (offered h2, it chose "
                        + (selected == null || selected.isEmpty() ? "none" : selected) + ")"));
            }
            TlsFailures.connected(target);
            return new TlsConnection(socket);
        }

        @Override
        public DataReader reader() {
            return reader;
        }

        @Override
        public DataWriter writer() {
            return writer;
        }

        @Override
        public String channelId() {
            return channelId;
        }

        @Override
        public HelidonSocket helidonSocket() {
            return helidonSocket;
        }

        @Override
        public void readTimeout(Duration readTimeout) {
            try {
                socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, readTimeout.toMillis()));
            } catch (SocketException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public boolean isConnected() {
            return !closed && !socket.isClosed() && helidonSocket.isConnected();
        }

        @Override
        public void releaseResource() {
            closeResource();
        }

        @Override
        public void closeResource() {
            closed = true;
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing: nothing left to do with it
            }
        }
    }

    /** Open connections to targets (for tests and metrics). */
    int openConnections() {
        int n = 0;
        for (CopyOnWriteArrayList<Connection> connections : open.values()) {
            for (Connection c : connections) {
                if (c.usable()) {
                    n++;
                }
            }
        }
        return n;
    }

    private void reap() {
        long oldest = System.nanoTime() - MAX_IDLE.toNanos();
        for (CopyOnWriteArrayList<Connection> connections : open.values()) {
            for (Connection connection : connections) {
                boolean idleTooLong = connection.idleSince - oldest < 0 || !connection.usable();
                // taking every slot at once makes sure no request picks the connection while it is closed
                if (idleTooLong && connection.streams.compareAndSet(0, MAX_STREAMS)
                        && connections.remove(connection)) {
                    connection.close();
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        reaper.shutdownNow();
        for (CopyOnWriteArrayList<Connection> connections : open.values()) {
            for (Connection connection : connections) {
                connection.close();
            }
            connections.clear();
        }
        clients.values().forEach(WebClient::closeResource);
    }
}
