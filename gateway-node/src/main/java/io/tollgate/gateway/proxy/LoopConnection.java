package io.tollgate.gateway.proxy;

import io.tollgate.gateway.loop.EventLoop;
import io.tollgate.gateway.proxy.RetryLoop.Failure;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One keep-alive HTTP/1.1 connection to a plain-http upstream target, owned by one event loop: the non-blocking
 * twin of {@link UpstreamConnection}, with the same request bytes ({@link HeadBuffer}) and the same response-head
 * rules ({@link ResponseHead}). It connects, sends a head, waits for the answer's head (each within its timeout,
 * on loop timers), then lends its buffer and socket to the body ({@link LoopUpstreamBody}); afterwards it goes
 * back to its loop's pool ({@link LoopConnections}) or is closed. While pooled it stays registered for reading:
 * an upstream that closes it (or sends anything unasked) gets it closed and dropped at once, so a pooled
 * connection is known good when it is taken.
 */
final class LoopConnection implements EventLoop.Handler {
    private static final System.Logger LOG = System.getLogger(LoopConnection.class.getName());
    private static final int BUFFER = 16 * 1024;

    /** What the exchange using the connection hears about it. */
    interface Listener {
        void head(ResponseHead head);

        void failed(Failure failure, IOException cause);
    }

    private enum State { CONNECTING, SENDING, AWAITING_HEAD, BODY, IDLE, CLOSED }

    final EventLoop loop;
    final LoopConnections pool;
    final LoopConnections.Key target;
    private final SocketChannel channel;
    private SelectionKey key;
    private State state;
    private Listener listener;
    /** The timer pending for this connection, if any: at most one, re-armed for {@link #deadline} when it fires. */
    private EventLoop.Timer timer;
    /** When the wait in progress (connect, send, answer, body read) gives up ({@link System#nanoTime}); 0: none. */
    private long deadline;
    private long timerDue;
    private byte[] pending;
    private int pendingStart;
    private int pendingEnd;
    private long readTimeoutNanos;
    private boolean headRequest;
    long idleSinceNanos;

    byte[] buffer = new byte[BUFFER];
    int pos;
    int limit;
    /** The body reading from this connection now, or null. */
    private LoopUpstreamBody body;

    private LoopConnection(EventLoop loop, LoopConnections pool, LoopConnections.Key target, SocketChannel channel) {
        this.loop = loop;
        this.pool = pool;
        this.target = target;
        this.channel = channel;
    }

    /**
     * Starts connecting to {@code target}; the connection then waits for {@link #send}. A failure to even start
     * (unresolvable host, no file descriptors) is thrown.
     */
    static LoopConnection connect(EventLoop loop, LoopConnections pool, LoopConnections.Key target,
                                  InetSocketAddress address, long connectTimeoutNanos) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            LoopConnection connection = new LoopConnection(loop, pool, target, channel);
            if (channel.connect(address)) {
                connection.state = State.SENDING;
                connection.key = loop.register(channel, 0, connection);
            } else {
                connection.state = State.CONNECTING;
                connection.key = loop.register(channel, SelectionKey.OP_CONNECT, connection);
                connection.armTimer(connectTimeoutNanos);
            }
            return connection;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Sends a request head ({@code head[0, length)}, copied when it cannot all go at once) and then waits for the
     * answer's head, each read within {@code readTimeoutNanos}; the listener hears of the head or the failure.
     */
    void send(byte[] head, int length, boolean headRequest, long readTimeoutNanos, Listener listener) {
        this.listener = listener;
        this.headRequest = headRequest;
        this.readTimeoutNanos = Math.max(1, readTimeoutNanos);
        if (state == State.IDLE) {
            state = State.SENDING;
        }
        if (state == State.CONNECTING) {
            pending = java.util.Arrays.copyOf(head, length);
            pendingStart = 0;
            pendingEnd = length;
            return;
        }
        write(head, 0, length);
    }

    private void write(byte[] bytes, int from, int to) {
        int written;
        try {
            written = channel.write(ByteBuffer.wrap(bytes, from, to - from));
        } catch (IOException e) {
            fail(Failure.BROKEN, e);
            return;
        }
        if (from + written < to) {
            if (pending != bytes) {
                pending = java.util.Arrays.copyOfRange(bytes, from + written, to);
                pendingStart = 0;
                pendingEnd = pending.length;
            } else {
                pendingStart = from + written;
            }
            state = State.SENDING;
            key.interestOps(SelectionKey.OP_WRITE);
            armReadTimer();   // an upstream that takes nothing is as stuck as one that answers nothing
            return;
        }
        pending = null;
        state = State.AWAITING_HEAD;
        key.interestOps(SelectionKey.OP_READ);
        armReadTimer();
    }

    /** The wait starting now may last the read timeout. */
    void armReadTimer() {
        armTimer(readTimeoutNanos);
    }

    /**
     * Sets the deadline of the wait starting now. Waits come and go many times per request, so they do not each
     * get a timer: one pending timer per connection fires, finds the deadline moved (or gone) and re-arms itself
     * for it, instead of a cancelled timer per wait piling up in the loop's queue.
     */
    private void armTimer(long nanos) {
        deadline = System.nanoTime() + Math.max(1, nanos);
        if (deadline == 0) {
            deadline = 1;
        }
        if (timer == null || timerDue - deadline > 0) {
            if (timer != null) {
                timer.cancel();   // due too late for this wait (a short read timeout after a long connect one)
            }
            timer = loop.schedule(Math.max(1, nanos), this::timerFired);
            timerDue = deadline;
        }
    }

    /** No wait in progress; the pending timer, if any, will find nothing to do. */
    void cancelTimer() {
        deadline = 0;
    }

    private void timerFired() {
        Listener waiting = listener;
        LoopUpstreamBody reading = body;
        try {
            expire();
        } catch (RuntimeException e) {
            crashed(e, waiting, reading);
        }
    }

    private void expire() {
        timer = null;
        if (deadline == 0 || state == State.CLOSED) {
            return;
        }
        long left = deadline - System.nanoTime();
        if (left > 0) {
            timer = loop.schedule(left, this::timerFired);
            timerDue = deadline;
            return;
        }
        deadline = 0;
        switch (state) {
            case CONNECTING -> fail(Failure.NOT_CONNECTED, new java.net.SocketTimeoutException("connect timed out"));
            case SENDING, AWAITING_HEAD -> fail(Failure.TIMED_OUT,
                    new java.net.SocketTimeoutException("upstream read timed out"));
            case BODY -> {
                LoopUpstreamBody reading = body;
                close();
                if (reading != null) {
                    reading.broke();
                }
            }
            default -> {
                // idle: nothing waits
            }
        }
    }

    @Override
    public void ready(SelectionKey key) {
        Listener waiting = listener;
        LoopUpstreamBody reading = body;
        try {
            dispatch(key);
        } catch (RuntimeException e) {
            crashed(e, waiting, reading);
        }
    }

    /**
     * Something threw while this connection's event was handled (the exchange's own work runs on this stack too):
     * whoever waits on the connection now hears of a broken connection instead of waiting for good. A pooled
     * connection is left alone: it waits for nobody.
     */
    private void crashed(RuntimeException e, Listener waiting, LoopUpstreamBody reading) {
        LOG.log(System.Logger.Level.ERROR, "upstream connection to " + target + " failed inside the gateway", e);
        // Only the exchange the event was for: the connection may have gone back to the pool and been taken by
        // another (a pipelined request) further down the same stack, and that one is well.
        if (listener != null && listener == waiting) {
            fail(Failure.BROKEN, new IOException(e));
        } else if (state == State.BODY && body == reading && (reading != null || waiting != null)) {
            close();
            if (reading != null) {
                reading.broke();
            }
        }
    }

    private void dispatch(SelectionKey key) {
        switch (state) {
            case CONNECTING -> {
                if (key.isConnectable()) {
                    finishConnect();
                }
            }
            case SENDING -> {
                if (key.isWritable() && pending != null) {
                    write(pending, pendingStart, pendingEnd);
                }
            }
            case AWAITING_HEAD -> {
                if (key.isReadable()) {
                    readHead();
                }
            }
            case BODY -> {
                if (body != null) {
                    body.readable();
                } else {
                    key.interestOps(0);   // no body reads from it (yet): do not spin on its readiness
                }
            }
            case IDLE -> {
                // a pooled connection must be silent: the upstream closed it, or sent something unasked
                pool.remove(this);
                close();
            }
            case CLOSED -> key.cancel();
        }
    }

    private void finishConnect() {
        try {
            if (!channel.finishConnect()) {
                return;   // not yet after all (a spurious readiness): the connect timer still runs
            }
        } catch (IOException e) {
            // refused, unreachable: no byte of the request left
            fail(Failure.NOT_CONNECTED, e);
            return;
        }
        cancelTimer();
        state = State.SENDING;
        key.interestOps(0);
        if (pending != null) {
            byte[] head = pending;
            write(head, pendingStart, pendingEnd);
        }
    }

    private void readHead() {
        int n = read();
        if (n < 0) {
            fail(Failure.BROKEN, new java.io.EOFException(
                    "upstream closed the connection before the end of the response head"));
            return;
        }
        ResponseHead head;
        try {
            head = ResponseHead.parse(buffer, pos, limit, headRequest, false);
        } catch (IOException e) {
            fail(Failure.BROKEN, e);
            return;
        }
        if (head == null) {
            return;   // more to come; the read timer keeps running for the whole head, as one blocking read would
        }
        cancelTimer();
        pos += head.consumed();
        // reading stays on (an interest change is a system call): the body starts in this same call
        state = State.BODY;
        Listener told = listener;
        listener = null;
        told.head(head);
    }

    /** {@link #read()}'s answer when the read failed (reset): not an end of stream. */
    static final int BROKEN = -2;

    /** Reads what the socket has into the buffer (compacted or grown first); -1 at end of stream, {@link #BROKEN}. */
    int read() {
        if (pos == limit) {
            pos = 0;
            limit = 0;
        } else if (limit == buffer.length) {
            if (pos > 0) {
                System.arraycopy(buffer, pos, buffer, 0, limit - pos);
                limit -= pos;
                pos = 0;
            } else {
                buffer = java.util.Arrays.copyOf(buffer, Math.min(buffer.length * 2,
                        UpstreamConnection.MAX_HEAD + BUFFER));
            }
        }
        try {
            int n = channel.read(ByteBuffer.wrap(buffer, limit, buffer.length - limit));
            if (n > 0) {
                limit += n;
            }
            return n;
        } catch (IOException e) {
            return BROKEN;
        }
    }

    /** The body starts reading from this connection (loop thread). */
    void bodyStarts(LoopUpstreamBody body) {
        this.body = body;
    }

    /** Wants readiness for reading (true) or nothing (false), while a body streams. */
    void reading(boolean on) {
        if (state == State.BODY && key.isValid()) {
            key.interestOps(on ? SelectionKey.OP_READ : 0);   // no system call when unchanged
        }
    }

    /**
     * The exchange on this connection is over: back to the pool when {@code reusable} (the whole answer was read,
     * nothing more arrived, both sides keep the connection), else closed.
     */
    void finish(boolean reusable) {
        cancelTimer();
        body = null;
        listener = null;
        if (!reusable || state == State.CLOSED || pos != limit || !key.isValid()) {
            close();
            return;
        }
        pos = 0;
        limit = 0;
        state = State.IDLE;
        key.interestOps(SelectionKey.OP_READ);   // usually on already: no system call
        pool.release(this);
    }

    /** Put into the pool's idle list after {@link #finish}; nothing else may use it until taken again. */
    boolean idle() {
        return state == State.IDLE;
    }

    boolean isClosed() {
        return state == State.CLOSED;
    }

    private void fail(Failure failure, IOException cause) {
        Listener told = listener;
        listener = null;
        close();
        if (told != null) {
            told.failed(failure, cause);
        }
    }

    void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        deadline = 0;
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing more to do with it
        }
    }
}
