package io.tollgate.gateway.proxy;

import io.helidon.common.socket.SocketContext;
import io.helidon.common.socket.SocketOptions;
import io.helidon.http.http2.Http2ErrorCode;
import io.helidon.http.http2.Http2FrameData;
import io.helidon.http.http2.Http2FrameListener;
import io.helidon.http.http2.Http2Headers;
import io.helidon.http.http2.Http2RstStream;
import io.helidon.http.http2.Http2Settings;
import io.helidon.http.http2.Http2WindowUpdate;
import io.helidon.http.http2.StreamFlowControl;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.api.WebClient;
import io.helidon.webclient.http2.Http2Client;
import io.helidon.webclient.http2.Http2ClientConnection;
import io.helidon.webclient.http2.Http2ClientImpl;
import io.helidon.webclient.http2.Http2ClientStream;
import io.helidon.webclient.http2.Http2StreamConfig;
import io.helidon.webclient.http2.StreamTimeoutException;
import io.tollgate.gateway.snapshot.UpstreamPool;
import io.tollgate.gateway.tls.UpstreamTls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
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
 * <p>Waiting: a request waits for its stream without a timeout ({@link UpstreamStream#await}); the connection's
 * reader wakes it when a frame for it was queued, and {@link ReadTimeouts} (one ticking thread) when its wait
 * passed its deadline or the connection went away — Helidon's connection closes itself on GOAWAY or a broken socket
 * without telling the streams, so waiters also ask {@link Lease#alive()}. Connections without streams for
 * {@link #MAX_IDLE} are closed by a reaper, and every connection this class drops is closed.
 *
 * <p>Sockets: plain, or TLS from {@link UpstreamTls} (Helidon's own TLS client connection would take the name to
 * verify and send as SNI from a reverse lookup of the resolved address), handed to Helidon as an
 * {@link UpstreamSocket}, which writes each frame in one piece and tells when the reader is about to block. A TLS
 * server that does not select h2 by ALPN is a connect failure: speaking HTTP/2 to an HTTP/1.1 server would fail
 * less clearly, request by request.
 */
final class Http2Connections implements AutoCloseable {
    static final int MAX_STREAMS = 64;
    static final Duration MAX_IDLE = Duration.ofSeconds(30);
    /**
     * Helidon's stream reads take a timeout: the health probe reads in slices of this, the proxy only reads what
     * it knows is there (so it never waits this long).
     */
    static final Duration POLL_SLICE = Duration.ofMillis(100);
    private static final List<String> TLS_ALPN = List.of("h2");
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
    private static final class Connection implements UpstreamSocket.ReadListener {
        final UpstreamSocket tcp;
        final Http2ClientConnection http2;
        final Http2ClientImpl client;
        final ReadTimeouts deadlines;
        final AtomicInteger streams = new AtomicInteger();
        /** Streams that received something since the reader last read the socket (reader thread only). */
        private final List<UpstreamStream> received = new ArrayList<>();
        volatile long idleSince = System.nanoTime();
        volatile boolean broken;

        Connection(UpstreamSocket tcp, Http2ClientConnection http2, Http2ClientImpl client,
                   ReadTimeouts deadlines) {
            this.tcp = tcp;
            this.http2 = http2;
            this.client = client;
            this.deadlines = deadlines;
            tcp.readListener(this);
        }

        /** On the reader thread, from a stream that was handed a frame: woken before the reader blocks again. */
        void received(UpstreamStream stream) {
            received.add(stream);
        }

        /**
         * Every frame read so far has been handed to its stream: the streams that got one may look now. (Waking
         * them earlier, from inside Helidon's frame handling, could let a waiter look before the frame is queued.)
         */
        @Override
        public void beforeRead() {
            if (received.isEmpty()) {
                return;
            }
            for (UpstreamStream stream : received) {
                stream.publish();
            }
            received.clear();
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
            connection.deadlines.watch(stream);
        }

        /**
         * Holds this thread's frames back until {@link #uncork()}: a request's HEADERS and its small body then
         * leave in one write. Frames of other threads are not held (they send the held ones first).
         */
        void cork() {
            connection.tcp.cork();
        }

        void uncork() {
            connection.tcp.uncork();
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
            connection.deadlines.unwatch(stream);
            try {
                stream.close();
            } finally {
                connection.giveBack();
            }
        }
    }

    /**
     * A client stream that remembers the error code of a RST_STREAM from the upstream, and that its reader can wait
     * for without a timeout ({@link #await}).
     *
     * <p>How a waiter knows what Helidon's stream holds without asking it (its reads take a timeout, which is what
     * this avoids): the connection's reader thread calls this stream for every frame it hands over — the response
     * headers and trailers through the stream's frame listener, DATA through {@link #flowControl()}, a reset through
     * {@link #rstStream} — and each is counted as {@link #received}. Before the reader blocks on the socket again the
     * counts are {@link #publish() published} and the waiter woken. Helidon's stream queue starts with one spare
     * permit and every other one is an item queued (DATA, trailers) or a reset, so while
     * {@code 1 + published > polls} a {@link #readOne} returns at once.
     */
    static final class UpstreamStream extends Http2ClientStream implements ReadTimeouts.Watched {
        private final Connection connection;
        private volatile Http2ErrorCode resetCode;
        // written by the connection's reader thread only
        private long received;
        private boolean headersReceived;
        private boolean inWindowUpdate;
        // what the reader thread published, read by the waiter
        private volatile long published;
        private volatile boolean headersPublished;
        // the waiting request's side
        private long polls;
        private volatile Thread waiter;
        private volatile long waitUntil;

        private UpstreamStream(Connection connection) {
            this(connection, new ReceiveListener());
        }

        private UpstreamStream(Connection connection, ReceiveListener listener) {
            super(connection.http2, Http2Settings.create(), connection.tcp.helidonSocket(), STREAM_CONFIG,
                    connection.client.prototype(), connection.http2.streamIdSequence(), NO_LISTENER, listener);
            this.connection = connection;
            listener.stream = this;
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
            boolean result = super.rstStream(rstStream);
            // the stream's queue now fails every read: the waiter must look
            headersReceived = true;
            arrived();
            return result;
        }

        /** Called by Helidon for each DATA frame it queues for this stream (on the reader thread), and elsewhere. */
        @Override
        public StreamFlowControl flowControl() {
            if (!inWindowUpdate && connection.tcp.onReaderThread()) {
                arrived();
            }
            return super.flowControl();
        }

        @Override
        public void windowUpdate(Http2WindowUpdate windowUpdate) {
            inWindowUpdate = true;
            try {
                super.windowUpdate(windowUpdate);
            } finally {
                inWindowUpdate = false;
            }
        }

        /** Reader thread: response headers (first) or trailers (queued like a frame). */
        private void headersArrived() {
            if (!headersReceived) {
                headersReceived = true;
                connection.received(this);
            } else {
                arrived();
            }
        }

        private void arrived() {
            received++;
            connection.received(this);
        }

        /** Reader thread, once what it counted is queued in Helidon's stream: lets the waiter see it. */
        void publish() {
            if (headersReceived) {
                headersPublished = true;
            }
            published = received;
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }

        /** True when the response headers arrived (or the stream was reset): {@link #readHeaders()} returns at once. */
        boolean headersReady() {
            return headersPublished;
        }

        /** True when {@link #next()} returns at once. */
        boolean frameReady() {
            return 1 + published - polls > 0;
        }

        /**
         * The next DATA frame, or null (trailers arrived, or nothing yet); call when {@link #frameReady()}. Helidon's
         * read takes a timeout, which it reaches only when a count was wrong (a SETTINGS change touches every
         * stream's flow control): then that count is taken back.
         */
        Http2FrameData next() {
            try {
                Http2FrameData frame = readOne(POLL_SLICE);
                polls++;
                return frame;
            } catch (StreamTimeoutException e) {
                polls++;
                return null;
            }
        }

        /**
         * Parks without a timeout until {@code headers} ? the response headers : a frame is there to read, the
         * connection went away, or {@code until} (a {@link System#nanoTime()}) passed: false only then.
         * {@link ReadTimeouts} wakes the waiter for the last two.
         */
        boolean await(boolean headers, long until) {
            if (headers ? headersReady() : frameReady()) {
                return true;
            }
            waitUntil = until;
            waiter = Thread.currentThread();
            try {
                while (!(headers ? headersReady() : frameReady())) {
                    if (!connection.usable()) {
                        return true;  // the caller finds the connection gone
                    }
                    if (System.nanoTime() - until >= 0) {
                        return false;
                    }
                    LockSupport.park(this);
                }
                return true;
            } finally {
                waiter = null;
            }
        }

        /** Each tick of {@link ReadTimeouts}: wakes the waiter when its deadline passed or its connection went. */
        @Override
        public void checkDeadline(long now) {
            Thread w = waiter;
            if (w != null && (now - waitUntil >= 0 || !connection.usable())) {
                LockSupport.unpark(w);
            }
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

    /** Tells its stream about response headers and trailers, on the connection's reader thread. */
    private static final class ReceiveListener implements Http2FrameListener {
        private UpstreamStream stream;

        @Override
        public void headers(SocketContext ctx, int streamId, Http2Headers headers) {
            stream.headersArrived();
        }
    }

    private final ConcurrentHashMap<Duration, WebClient> clients = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, CopyOnWriteArrayList<Connection>> open = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, ReentrantLock> connecting = new ConcurrentHashMap<>();
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(
            runnable -> Thread.ofPlatform().daemon().name("tollgate-upstream-h2-reaper").unstarted(runnable));
    private final ReadTimeouts deadlines = new ReadTimeouts("tollgate-upstream-h2-deadlines");
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
        return borrow(target, connectTimeout, connectTimeout);
    }

    /**
     * As {@link #borrow(UpstreamPool.Target, Duration)}, but waiting for a new connection (TCP connect and TLS
     * handshake, or another request's connect to the same target) no longer than {@code budget}, the connect
     * timeout capped by the request's deadline.
     *
     * @throws UncheckedIOException with a {@link SocketTimeoutException} when the budget ran out
     */
    Lease borrow(UpstreamPool.Target target, Duration connectTimeout, Duration budget) {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        Key key = new Key(target.host(), target.port(), target.tls(), connectTimeout);
        CopyOnWriteArrayList<Connection> connections = open.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>());
        Lease lease = tryExisting(connections);
        if (lease != null) {
            return lease;
        }
        // one connect at a time per target: requests arriving together share the new connection; one that cannot
        // wait for another's connect (a slow handshake) gives up when its own budget is spent
        long until = System.nanoTime() + budget.toNanos();
        ReentrantLock lock = connecting.computeIfAbsent(key, k -> new ReentrantLock());
        try {
            if (!lock.tryLock(budget.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new UncheckedIOException(new SocketTimeoutException("another connect to the target took "
                        + "longer than this request's connect budget"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting to connect", e);
        }
        try {
            lease = tryExisting(connections);
            if (lease != null) {
                return lease;
            }
            Connection connection = connect(target, connectTimeout, Duration.ofNanos(until - System.nanoTime()));
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

    /** A new connection, TCP connect and TLS handshake within {@code budget}. */
    private Connection connect(UpstreamPool.Target target, Duration connectTimeout, Duration budget) {
        WebClient client = clients.computeIfAbsent(connectTimeout, Http2Connections::webClient);
        Http2ClientImpl http2Client = (Http2ClientImpl) client.client(Http2Client.PROTOCOL);
        SocketOptions options = client.prototype().socketOptions();
        UpstreamSocket tcp = target.tls() ? openTls(tls, target, budget, options)
                : openPlain(target, budget, options);
        try {
            // sends the preface and our SETTINGS, then waits for the server's SETTINGS
            Http2ClientConnection http2 = Http2ClientConnection.create(http2Client, tcp, true);
            return new Connection(tcp, http2, http2Client, deadlines);
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
                        // Http2Forwarder checks answer fields itself and resets just that stream; Helidon's check
                        // would fail the stream without telling its waiter (a 504 at the read timeout instead)
                        .validateResponseHeaders(false)
                        .initialWindowSize(1024 * 1024)
                        .build())
                .build();
    }

    private static UpstreamSocket openPlain(UpstreamPool.Target target, Duration connectTimeout,
                                            SocketOptions options) {
        Socket socket = new Socket();
        try {
            options.configureSocket(socket);
            socket.connect(new InetSocketAddress(target.host(), target.port()),
                    (int) Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeout.toMillis())));  // 0 is no limit
            return new UpstreamSocket(socket);
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // not connected anyway
            }
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Connects and shakes hands, the two within {@code connectTimeout}; a server that does not select h2 is refused
     * with an SSLException saying so.
     */
    private static UpstreamSocket openTls(UpstreamTls tls, UpstreamPool.Target target, Duration connectTimeout,
                                          SocketOptions options) {
        SSLSocket socket;
        try {
            socket = tls.connect(target.host(), target.port(), connectTimeout, TLS_ALPN, options::configureSocket);
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
        try {
            return new UpstreamSocket(socket);
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // failed anyway
            }
            throw new UncheckedIOException(e);
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
        deadlines.close();
        for (CopyOnWriteArrayList<Connection> connections : open.values()) {
            for (Connection connection : connections) {
                connection.close();
            }
            connections.clear();
        }
        clients.values().forEach(WebClient::closeResource);
    }
}
