package io.tollgate.gateway.proxy;

import io.tollgate.gateway.loop.BodySink;
import io.tollgate.gateway.loop.LoopBody;

import java.io.IOException;

/**
 * An upstream answer's body pushed to the client from the event loop, framed as its head said
 * ({@link ResponseHead}): a known length, chunks (decoded by {@link ChunkDecoder}; the client gets its own
 * chunking, without the upstream's trailers, as from the blocking path), or everything until the upstream closes.
 * Bytes already read with the head go first. When the client is backed up, the upstream is not read until it
 * caught up; each wait for the upstream has the route's read timeout. An upstream that closes or breaks the
 * framing before the end makes the client see a cut connection ({@link BodySink#end} with false), never a short
 * body passed off as whole.
 */
final class LoopUpstreamBody implements LoopBody {
    private final LoopConnection connection;
    private final int framing;
    private final long length;
    private final boolean keepAlive;
    private final ChunkDecoder chunks;
    private long remaining;
    private BodySink sink;
    private boolean paused;
    /** A push is under way (on the stack); see {@link #resume()}. */
    private boolean pushing;
    private boolean done;

    LoopUpstreamBody(LoopConnection connection, ResponseHead head) {
        this.connection = connection;
        this.framing = head.framing();
        this.length = head.framing() == UpstreamResponse.FIXED ? head.length() : -1;
        this.remaining = length;
        this.keepAlive = head.keepAlive();
        this.chunks = framing == UpstreamResponse.CHUNKED ? new ChunkDecoder() : null;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public void stream(BodySink sink) {
        this.sink = sink;
        connection.bodyStarts(this);
        pump();
    }

    @Override
    public void resume() {
        if (!done && paused) {
            paused = false;
            // The client can drain (and resume us) while a push is still handing it bytes, from inside data():
            // pushing again from there would decode the same buffer twice. The push under way goes on instead.
            if (!pushing) {
                pump();
            }
        }
    }

    /** The socket has bytes (or the end): read them and push on. */
    void readable() {
        if (done) {
            return;
        }
        int n = connection.read();
        if (n < 0) {
            // only a clean end of stream ends a close-delimited body; a reset cuts it, as on the blocking path
            if (n == -1 && framing == UpstreamResponse.UNTIL_CLOSE) {
                finish(false);
            } else {
                broke();
            }
            return;
        }
        pump();
    }

    /** Pushes what the connection's buffer holds; then ends, or waits for the client or for the upstream. */
    private void pump() {
        pushing = true;
        try {
            push();
        } catch (IOException e) {
            broke();
            return;
        } finally {
            pushing = false;
        }
        if (done) {
            return;
        }
        if (paused) {
            connection.cancelTimer();
            connection.reading(false);
            return;
        }
        sink.flush();
        connection.armReadTimer();
        connection.reading(true);
    }

    private void push() throws IOException {
        byte[] buffer = connection.buffer;
        if (framing == UpstreamResponse.FIXED) {
            int n = (int) Math.min(remaining, connection.limit - connection.pos);
            if (n > 0) {
                int from = connection.pos;
                connection.pos += n;
                remaining -= n;
                give(buffer, from, n);
            }
            if (remaining == 0) {
                finish(keepAlive);
            }
        } else if (framing == UpstreamResponse.CHUNKED) {
            connection.pos = chunks.feed(buffer, connection.pos, connection.limit, this::give);
            if (chunks.done()) {
                finish(keepAlive);
            }
        } else {
            int n = connection.limit - connection.pos;
            if (n > 0) {
                int from = connection.pos;
                connection.pos = connection.limit;
                give(buffer, from, n);
            }
        }
    }

    private void give(byte[] buffer, int offset, int count) {
        if (!sink.data(buffer, offset, count)) {
            paused = true;
        }
    }

    private void finish(boolean reusable) {
        done = true;
        connection.finish(reusable);
        sink.end(true);
    }

    /** The upstream broke off (closed early, bad chunk, read timeout): the client sees a cut connection. */
    void broke() {
        if (done) {
            return;
        }
        done = true;
        connection.close();
        sink.end(false);
    }

    /** The client side gave up on the body (went away): the connection cannot be reused. */
    @Override
    public void close() {
        if (!done) {
            done = true;
            connection.close();
        }
    }
}
