package io.tollgate.gateway.proxy;

import io.tollgate.gateway.pipeline.Tunnel;
import io.tollgate.gateway.snapshot.UpstreamPool;
import io.tollgate.gateway.tls.UpstreamTls;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLSocket;

/**
 * One keep-alive HTTP/1.1 connection to an upstream target, spoken directly on a socket: the request head is
 * written in one piece from a {@link HeadBuffer} the connection keeps, the response head is parsed by
 * {@link ResponseHead} from the connection's own read buffer, and the body is framed as RFC 9112 section 6.3 says
 * (no body for HEAD, 1xx, 204 and 304; chunked, through a {@link ChunkDecoder}; Content-Length; else until the
 * upstream closes). Interim 1xx answers are skipped. Anything malformed — a bad
 * status line or field, a bad or conflicting Content-Length, a bad chunk, a head larger than {@link #MAX_HEAD}, the
 * upstream closing before the head or before the end of a framed body — is an {@link IOException}, so the caller
 * answers 502 and never forwards a truncated body as a whole one.
 *
 * <p>Plaintext connections are a {@link SocketChannel} (a pooled one is checked with one non-blocking read); TLS
 * connections ({@code https} targets) an {@link SSLSocket} over a plain socket, whose handshake {@link UpstreamTls}
 * verified, checked with a read that gives up after a millisecond (an SSLSocket cannot read without blocking). A
 * read timeout closes the plain socket under the TLS one, which ends a blocked TLS read at once.
 *
 * <p>One request at a time. The connection goes back to its pool only when the whole body was read and both sides
 * keep the connection (HTTP/1.1 without {@code Connection: close}, or HTTP/1.0 with {@code keep-alive}); every
 * other ending closes the socket. Reads and writes block (the gateway runs each request on a virtual thread);
 * reads give up after the read timeout of the request with a {@link SocketTimeoutException}. That timeout is not
 * the socket's {@code SO_TIMEOUT} but a deadline {@link ReadTimeouts} watches (see there why): a read past it has
 * its connection closed under it.
 */
final class UpstreamConnection implements ReadTimeouts.Watched {
    /** The largest response head (status line and fields) accepted from an upstream. */
    static final int MAX_HEAD = ResponseHead.MAX_HEAD;
    private static final int BUFFER = 16 * 1024;
    private static final byte[] CRLF = {'\r', '\n'};
    private static final List<String> HTTP1_ALPN = List.of("http/1.1");
    /** {@link #readDeadline} while no read blocks. */
    private static final long NOT_READING = 0;
    /** {@link #readDeadline} once {@link ReadTimeouts} found a read past its deadline: the connection is closed. */
    private static final long EXPIRED = Long.MIN_VALUE;
    private static final VarHandle READ_DEADLINE;

    static {
        try {
            READ_DEADLINE = MethodHandles.lookup().findVarHandle(UpstreamConnection.class, "readDeadline", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What the pool does with a connection whose exchange ended. */
    interface Owner {
        void release(UpstreamConnection connection);
    }

    /** The plaintext connection's channel; null for TLS. */
    private final SocketChannel channel;
    /** The channel's socket, or the TLS socket. */
    private final Socket socket;
    /** The TCP socket under the TLS one; null for plaintext. */
    private final Socket tcpUnderTls;
    private final InputStream in;
    private final OutputStream out;
    private final Owner owner;
    private final ReadTimeouts timeouts;
    /** How long one read may wait, from {@link #readResponse}; 0 before the first answer is awaited. */
    private long readTimeoutNanos;
    /** When the read blocked now gives up ({@link System#nanoTime}), {@link #NOT_READING} or {@link #EXPIRED}. */
    @SuppressWarnings("unused")   // through READ_DEADLINE
    private volatile long readDeadline;
    private byte[] buffer = new byte[BUFFER];
    private int pos;
    private int limit;
    /** The request head, built anew for each request on this connection. */
    private final HeadBuffer head = new HeadBuffer();
    /** Decodes chunked answers; made with the first one ({@link #chunkDecoder}). */
    private ChunkDecoder chunks;
    private volatile boolean closed;
    volatile long idleSinceNanos;

    private UpstreamConnection(SocketChannel channel, Socket socket, Socket tcpUnderTls, Owner owner,
                               ReadTimeouts timeouts) throws IOException {
        this.channel = channel;
        this.socket = socket;
        this.tcpUnderTls = tcpUnderTls;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.owner = owner;
        this.timeouts = timeouts;
    }

    /**
     * A new connection to {@code target}, its reads watched by {@code timeouts}: TLS with a verified handshake
     * (ALPN offering http/1.1) for an https target, else plain TCP.
     */
    static UpstreamConnection open(UpstreamPool.Target target, Duration connectTimeout, UpstreamTls tls,
                                   Owner owner, ReadTimeouts timeouts) throws IOException {
        if (!target.tls()) {
            return open(target.host(), target.port(), connectTimeout, owner, timeouts);
        }
        Socket tcp = new Socket();
        try {
            tcp.setTcpNoDelay(true);
            tcp.setKeepAlive(true);
            // one budget for TCP and TLS together: the caller has capped it by the request's deadline
            long until = System.nanoTime() + connectTimeout.toNanos();
            tcp.connect(new InetSocketAddress(target.host(), target.port()), timeoutMillis(connectTimeout));
            SSLSocket socket = tls.handshake(tcp, target.host(), target.port(),
                    Duration.ofNanos(until - System.nanoTime()), HTTP1_ALPN);
            UpstreamConnection connection = new UpstreamConnection(null, socket, tcp, owner, timeouts);
            timeouts.watch(connection);
            return connection;
        } catch (IOException | RuntimeException e) {
            tcp.close();
            throw e;
        }
    }

    /**
     * A new connection to {@code host:port}, its reads watched by {@code timeouts}; {@link java.net.ConnectException}
     * or a timeout when there is none.
     */
    static UpstreamConnection open(String host, int port, Duration connectTimeout, Owner owner,
                                   ReadTimeouts timeouts) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.socket().setTcpNoDelay(true);
            channel.socket().setKeepAlive(true);
            channel.socket().connect(new InetSocketAddress(host, port), timeoutMillis(connectTimeout));
            UpstreamConnection connection = new UpstreamConnection(channel, channel.socket(), null, owner, timeouts);
            timeouts.watch(connection);
            return connection;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Whether a pooled connection can carry a request: the upstream has neither closed it nor sent anything
     * unasked (an idle connection must be silent). Costs one non-blocking read.
     */
    boolean usable() {
        if (closed || socket.isClosed() || pos < limit) {
            return false;
        }
        if (channel == null) {
            return tlsUsable();
        }
        try {
            channel.configureBlocking(false);
            try {
                return channel.read(ByteBuffer.wrap(buffer, 0, 1)) == 0;
            } finally {
                channel.configureBlocking(true);
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The TLS form of {@link #usable()}: a read that may wait one millisecond (SO_TIMEOUT, only here: other reads
     * are timed by {@link ReadTimeouts}). A close_notify or FIN shows as the end of the stream, anything else that
     * arrived unasked as data; a timeout leaves the socket usable.
     */
    private boolean tlsUsable() {
        try {
            if (in.available() > 0) {
                return false;
            }
            socket.setSoTimeout(1);
            try {
                return in.read(buffer, 0, 1) == 0;
            } finally {
                socket.setSoTimeout(0);
            }
        } catch (SocketTimeoutException e) {
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // request
    // ----------------------------------------------------------------------------------------------------------

    /**
     * The head of the next request, built by the caller ({@link HeadBuffer#startRequest}, then fields) and ended and
     * sent by a send method.
     */
    HeadBuffer head() {
        return head;
    }

    /** Ends the head and sends it with {@code body} (whose Content-Length field the caller wrote), in one write. */
    void send(byte[] body) throws IOException {
        head.end();
        if (body != null) {
            head.append(body, 0, body.length);
        }
        out.write(head.bytes(), 0, head.length());
    }

    /**
     * Ends the head and streams {@code body}: as is when the caller wrote a Content-Length field ({@code chunked}
     * false), else with {@code Transfer-Encoding: chunked} added here.
     */
    void send(InputStream body, boolean chunked) throws IOException {
        if (chunked) {
            head.field("Transfer-Encoding", "chunked");
        }
        head.end();
        out.write(head.bytes(), 0, head.length());
        byte[] copy = new byte[BUFFER];
        for (int n = body.read(copy); n >= 0; n = body.read(copy)) {
            if (n == 0) {
                continue;
            }
            if (chunked) {
                out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(copy, 0, n);
                out.write(CRLF);
            } else {
                out.write(copy, 0, n);
            }
        }
        if (chunked) {
            out.write(new byte[]{'0', '\r', '\n', '\r', '\n'});
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // response
    // ----------------------------------------------------------------------------------------------------------

    /** Reads the answer's head (skipping 1xx interim answers); the body, if any, is then read from the response. */
    UpstreamResponse readResponse(boolean headRequest, Duration readTimeout) throws IOException {
        return readResponse(headRequest, readTimeout, false);
    }

    /**
     * As {@link #readResponse(boolean, Duration)}; with {@code upgrade} (a WebSocket upgrade was sent) a 101 answer
     * is returned as it is, without body: the connection then belongs to the new protocol ({@link #detach}).
     */
    UpstreamResponse readResponse(boolean headRequest, Duration readTimeout, boolean upgrade) throws IOException {
        readTimeoutNanos = Math.max(1, readTimeout.toNanos());   // a spent budget times out at the next tick
        ResponseHead answer;
        // parsed again from its start with each read: a head nearly always arrives in one
        while ((answer = ResponseHead.parse(buffer, pos, limit, headRequest, upgrade)) == null) {
            if (fill() < 0) {
                throw new EOFException("upstream closed the connection before the end of the response head");
            }
        }
        pos += answer.consumed();
        boolean switched = answer.status() == 101;
        if (!switched && closed) {
            // the read timeout closed the connection as the head arrived: its body cannot be read
            throw new IOException("connection closed");
        }
        return new UpstreamResponse(this, answer.status(), answer.fields(), answer.framing(), answer.length(),
                answer.keepAlive());
    }

    /** Reads more bytes into the buffer (compacting or growing it first); -1 at end of stream. */
    private int fill() throws IOException {
        if (pos >= limit) {
            beforeRead();
        }
        if (pos > 0) {
            System.arraycopy(buffer, pos, buffer, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        if (limit == buffer.length) {
            byte[] bigger = new byte[Math.min(buffer.length * 2, MAX_HEAD + BUFFER)];
            System.arraycopy(buffer, 0, bigger, 0, limit);
            buffer = bigger;
        }
        int n = receive(buffer, limit, buffer.length - limit);
        if (n > 0) {
            limit += n;
        }
        return n;
    }

    /** Up to {@code max} body bytes into {@code target}: buffered ones first, else one read; -1 at end of stream. */
    int readBody(byte[] target, int offset, int max) throws IOException {
        if (pos < limit) {
            int n = Math.min(max, limit - pos);
            System.arraycopy(buffer, pos, target, offset, n);
            pos += n;
            return n;
        }
        return receive(target, offset, max);
    }

    /** Copies up to {@code max} body bytes to {@code to} through the connection's own buffer; -1 at end of stream. */
    int copyBody(OutputStream to, long max) throws IOException {
        if (pos >= limit) {
            beforeRead();
            pos = 0;
            limit = 0;
            int n = receive(buffer, 0, buffer.length);
            if (n < 0) {
                return -1;
            }
            limit = n;
        }
        int n = (int) Math.min(max, limit - pos);
        int from = pos;
        pos += n;
        to.write(buffer, from, n);
        return n;
    }

    /**
     * While a body is copied to the client: flushed before every read that would block (nothing left in the read
     * buffer, nothing arrived on the socket), so a streamed answer (server-sent events, a chunked feed) reaches the
     * client as the upstream sends it, not when a buffer fills. Null otherwise.
     */
    private java.io.Flushable flushBeforeWait;

    void flushBeforeWait(java.io.Flushable client) {
        this.flushBeforeWait = client;
    }

    private void beforeRead() throws IOException {
        if (flushBeforeWait != null && in.available() == 0) {
            flushBeforeWait.flush();
        }
    }

    /**
     * One blocking read from the socket, given up after the read timeout: the deadline is published for
     * {@link ReadTimeouts}, which closes the connection when the read is still blocked past it.
     */
    private int receive(byte[] target, int offset, int max) throws IOException {
        long deadline = System.nanoTime() + readTimeoutNanos;
        if (deadline == NOT_READING || deadline == EXPIRED) {
            deadline++;
        }
        if (readTimeoutNanos == 0 || !READ_DEADLINE.compareAndSet(this, NOT_READING, deadline)) {
            if (readTimeoutNanos == 0) {
                throw new IllegalStateException("read before a read timeout was set");
            }
            throw new SocketTimeoutException("upstream read timed out");   // expired by an earlier read
        }
        try {
            return in.read(target, offset, max);
        } catch (IOException e) {
            if ((long) READ_DEADLINE.getVolatile(this) == EXPIRED) {
                throw new SocketTimeoutException("upstream read timed out");
            }
            throw e;
        } finally {
            // fails only when the read was expired meanwhile; what it read is still good, the next read times out
            READ_DEADLINE.compareAndSet(this, deadline, NOT_READING);
        }
    }

    /** Called by {@link ReadTimeouts} each tick: closes the connection when its blocked read is past the deadline. */
    @Override
    public void checkDeadline(long now) {
        long deadline = (long) READ_DEADLINE.getVolatile(this);
        if (deadline != NOT_READING && deadline != EXPIRED && now - deadline >= 0
                && READ_DEADLINE.compareAndSet(this, deadline, EXPIRED)) {
            close();
        }
    }

    /**
     * The decoder for a chunked answer's body, reset: one per connection, reused for each chunked answer on it.
     */
    ChunkDecoder chunkDecoder() {
        if (chunks == null) {
            chunks = new ChunkDecoder();
        } else {
            chunks.reset();
        }
        return chunks;
    }

    /**
     * Feeds at most {@code max} buffered body bytes (when none are buffered, what one read gives) to {@code decoder},
     * payload to {@code sink}; how many were consumed, -1 at end of stream.
     */
    int decodeBody(ChunkDecoder decoder, int max, ChunkDecoder.Sink sink) throws IOException {
        if (pos >= limit) {
            beforeRead();
            pos = 0;
            limit = 0;
            int n = receive(buffer, 0, buffer.length);
            if (n < 0) {
                return -1;
            }
            limit = n;
        }
        int from = pos;
        // the decoder keeps a cut framing line itself: the buffer is consumed to its end unless the body ends first
        pos = decoder.feed(buffer, from, (int) Math.min(limit, (long) from + max), sink);
        return pos - from;
    }

    /** The exchange ended; the connection goes back to the pool when {@code reusable}, else is closed. */
    void finish(boolean reusable) {
        // a read the ticker expired just as it returned leaves the deadline EXPIRED: that connection is closing
        if (reusable && !closed && pos == limit && (long) READ_DEADLINE.getVolatile(this) == NOT_READING) {
            owner.release(this);
        } else {
            close();
        }
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * After a 101 answer: hands the socket over, with the bytes already read past the head; this object is done
     * with it (never pooled, never closed by it again).
     */
    Tunnel detach() throws IOException {
        byte[] rest = java.util.Arrays.copyOfRange(buffer, pos, limit);
        pos = limit;
        closed = true;
        timeouts.unwatch(this);   // the tunnel has its own idle timeout
        return new Tunnel(socket, rest);
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        timeouts.unwatch(this);
        try {
            if (channel != null) {
                channel.close();
            } else {
                // the TCP socket first: closing the TLS socket would wait for a read blocked on it
                tcpUnderTls.close();
                socket.close();
            }
        } catch (IOException ignored) {
            // closing: nothing left to do with it
        }
    }

    private static int timeoutMillis(Duration timeout) {
        long millis = timeout.toMillis();
        if (millis <= 0) {
            return 1;   // 0 would mean "wait forever"; a spent budget times out at once
        }
        return (int) Math.min(Integer.MAX_VALUE, millis);
    }
}
