package io.tollgate.gateway.proxy;

import io.tollgate.gateway.pipeline.HttpFields;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * An upstream's answer read by {@link UpstreamConnection}: status and fields as received, and the body as a stream
 * framed the way the head said. Reading the body to its end and closing gives the connection back to its pool (when
 * it may be kept); closing earlier closes the connection, since the rest of the body would still be on it.
 */
final class UpstreamResponse implements AutoCloseable {
    static final int NO_BODY = 0;
    static final int FIXED = 1;
    static final int CHUNKED = 2;
    static final int UNTIL_CLOSE = 3;

    private final UpstreamConnection connection;
    private final int status;
    private final HttpFields fields;
    private final int framing;
    private final long length;
    private final boolean keepAlive;
    private final BodyStream body;
    private boolean finished;

    UpstreamResponse(UpstreamConnection connection, int status, HttpFields fields, int framing, long length,
                     boolean keepAlive) {
        this.connection = connection;
        this.status = status;
        this.fields = fields;
        this.framing = framing == FIXED && length == 0 ? NO_BODY : framing;
        this.length = length;
        this.keepAlive = keepAlive;
        this.body = new BodyStream();
    }

    int status() {
        return status;
    }

    HttpFields fields() {
        return fields;
    }

    /** The body length from Content-Length, or -1 when chunked or delimited by the upstream closing. */
    long length() {
        return framing == NO_BODY ? 0 : length;
    }

    /** Whether the answer has no body at all (HEAD, 204, 304, Content-Length: 0). */
    boolean bodiless() {
        return framing == NO_BODY;
    }

    InputStream body() {
        return body;
    }

    /** Ends the exchange: the connection returns to the pool if the body was read to its end, else it closes. */
    @Override
    public void close() {
        if (finished) {
            return;
        }
        finished = true;
        connection.finish(keepAlive && body.complete());
    }

    /**
     * The body as the head framed it. A chunked body goes through the connection's {@link ChunkDecoder} (the one
     * the event loop's forwarder uses too), whose payload this stream takes as its {@link ChunkDecoder.Sink}: into
     * the caller's array for {@link #read(byte[], int, int)}, to the output for {@link #transferTo}.
     */
    private final class BodyStream extends InputStream implements ChunkDecoder.Sink {
        private long remaining = framing == FIXED ? length : 0;   // FIXED: bytes left
        private boolean ended = framing == NO_BODY;
        private boolean broken;
        private final ChunkDecoder chunks = framing == CHUNKED ? connection.chunkDecoder() : null;
        /** Where {@link #data} puts payload: {@link #copyTo}, else {@link #readInto} at {@link #readAt}. */
        private OutputStream copyTo;
        private byte[] readInto;
        private int readAt;
        /** Payload bytes {@link #data} took in the current call. */
        private long taken;

        boolean complete() {
            return ended && !broken;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!ready()) {
                return -1;
            }
            if (framing == CHUNKED) {
                return readChunked(b, off, len);
            }
            int max = framing == UNTIL_CLOSE ? len : (int) Math.min(len, remaining);
            int n = guarded(() -> connection.readBody(b, off, max));
            return counted(n);
        }

        /**
         * At least one payload byte, at most {@code len}: the decoder is fed at most {@code len} bytes at a time, so
         * it cannot give more payload than that.
         */
        private int readChunked(byte[] b, int off, int len) throws IOException {
            readInto = b;
            readAt = off;
            taken = 0;
            try {
                while (taken == 0 && !chunks.done()) {
                    decoded(guarded(() -> connection.decodeBody(chunks, len, this)));
                }
            } finally {
                readInto = null;
            }
            if (chunks.done()) {
                ended = true;
            }
            return taken > 0 ? (int) taken : -1;
        }

        @Override
        public long transferTo(OutputStream out) throws IOException {
            long total = 0;
            // what came so far goes out before each wait for more (events, streams)
            connection.flushBeforeWait(out);
            try {
                if (framing == CHUNKED) {
                    return transferChunked(out);
                }
                while (ready()) {
                    long max = framing == UNTIL_CLOSE ? Long.MAX_VALUE : remaining;
                    int n = guarded(() -> connection.copyBody(out, max));
                    total += Math.max(0, counted(n));
                }
            } finally {
                connection.flushBeforeWait(null);
            }
            return total;
        }

        private long transferChunked(OutputStream out) throws IOException {
            if (!ready()) {
                return 0;
            }
            copyTo = out;
            taken = 0;
            try {
                while (!chunks.done()) {
                    decoded(guarded(() -> connection.decodeBody(chunks, Integer.MAX_VALUE, this)));
                }
            } finally {
                copyTo = null;
            }
            ended = true;
            return taken;
        }

        /** Payload from the decoder. */
        @Override
        public void data(byte[] buf, int off, int len) throws IOException {
            if (copyTo != null) {
                copyTo.write(buf, off, len);
            } else {
                System.arraycopy(buf, off, readInto, readAt + (int) taken, len);
            }
            taken += len;
        }

        /** Whether body bytes may be read now. */
        private boolean ready() throws IOException {
            if (ended) {
                return false;
            }
            if (broken) {
                throw new IOException("upstream body already broke off");
            }
            return true;
        }

        /** After a feed of the decoder: the end of the stream before the last chunk breaks the body. */
        private void decoded(int consumed) throws IOException {
            if (consumed < 0) {
                broken = true;
                throw new EOFException("upstream closed the connection before the end of the body");
            }
        }

        private int counted(int n) throws IOException {
            if (n < 0) {
                if (framing == UNTIL_CLOSE) {
                    ended = true;
                    return -1;
                }
                broken = true;
                throw new EOFException("upstream closed the connection before the end of the body");
            }
            if (framing != UNTIL_CLOSE) {
                remaining -= n;
                if (framing == FIXED && remaining == 0) {
                    ended = true;
                }
            }
            return n;
        }

        private interface Io {
            int run() throws IOException;
        }

        private int guarded(Io io) throws IOException {
            try {
                return io.run();
            } catch (IOException | RuntimeException e) {
                broken = true;
                throw e;
            }
        }

        @Override
        public void close() {
            UpstreamResponse.this.close();
        }
    }
}
