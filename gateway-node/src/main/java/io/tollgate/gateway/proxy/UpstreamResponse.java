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

    private final class BodyStream extends InputStream {
        private long remaining = framing == FIXED ? length : 0;   // FIXED: bytes left; CHUNKED: left in this chunk
        private boolean ended = framing == NO_BODY;
        private boolean broken;

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
            int max = framing == UNTIL_CLOSE ? len : (int) Math.min(len, remaining);
            int n = guarded(() -> connection.readBody(b, off, max));
            return counted(n);
        }

        @Override
        public long transferTo(OutputStream out) throws IOException {
            long total = 0;
            // what came so far goes out before each wait for more (events, streams)
            connection.flushBeforeWait(out);
            try {
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

        /** Whether body bytes are available to read now (reads the next chunk's size line when one is due). */
        private boolean ready() throws IOException {
            if (ended) {
                return false;
            }
            if (broken) {
                throw new IOException("upstream body already broke off");
            }
            if (framing == CHUNKED && remaining == 0) {
                guarded(() -> {
                    nextChunk();
                    return 0;
                });
                return !ended;
            }
            return true;
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

        private boolean firstChunk = true;

        private void nextChunk() throws IOException {
            if (!firstChunk) {
                String crlf = connection.chunkLine();
                if (!crlf.isEmpty()) {
                    throw new IOException("malformed chunk from upstream");
                }
            }
            firstChunk = false;
            String sizeLine = connection.chunkLine();
            int semicolon = sizeLine.indexOf(';');
            String hex = (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).strip();
            if (hex.isEmpty() || hex.length() > 15) {
                throw new IOException("malformed chunk size from upstream");
            }
            long size = 0;
            for (int i = 0; i < hex.length(); i++) {
                int digit = Character.digit(hex.charAt(i), 16);
                if (digit < 0) {
                    throw new IOException("malformed chunk size from upstream");
                }
                size = size * 16 + digit;
            }
            if (size == 0) {
                // trailer fields (not forwarded) up to the empty line
                while (!connection.chunkLine().isEmpty()) {
                    // skip
                }
                ended = true;
                return;
            }
            remaining = size;
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
