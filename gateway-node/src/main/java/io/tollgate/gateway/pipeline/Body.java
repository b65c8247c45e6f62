package io.tollgate.gateway.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** A response body written to the client once, streamed; closing it releases what it holds (an upstream connection). */
public interface Body extends AutoCloseable {
    /** Length in bytes, or -1 when unknown (the client then gets a chunked response). */
    long length();

    void writeTo(OutputStream out) throws IOException;

    @Override
    void close();

    /** The whole body in memory, for a small body of known length: written to the client in one piece. */
    default byte[] bytes() throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        writeTo(out);
        return out.toByteArray();
    }

    /**
     * True when the sender announced trailer fields after this body (an HTTP/2 upstream's gRPC answer): the client
     * is told before the headers leave, so that it can receive them.
     */
    default boolean expectsTrailers() {
        return false;
    }

    /** The trailer fields that followed the body, read once {@link #writeTo} returned; empty when none came. */
    default HttpFields trailers() {
        return new HttpFields();
    }

    /** A body streamed from {@code in}; {@code onClose} runs once, after the stream is closed. */
    static Body streaming(InputStream in, long length, Runnable onClose) {
        return new Body() {
            private boolean closed;

            @Override
            public long length() {
                return length;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                in.transferTo(out);
            }

            @Override
            public byte[] bytes() throws IOException {
                if (length < 0 || length > Integer.MAX_VALUE - 8) {
                    return Body.super.bytes();
                }
                byte[] bytes = in.readNBytes((int) length);
                if (bytes.length != length) {
                    throw new java.io.EOFException("body ended before its length");
                }
                return bytes;
            }

            @Override
            public void close() {
                if (closed) {
                    return;
                }
                closed = true;
                try {
                    in.close();
                } catch (IOException | RuntimeException ignored) {
                    // a broken stream: the upstream connection is discarded by onClose either way
                } finally {
                    try {
                        onClose.run();
                    } catch (RuntimeException ignored) {
                        // releasing a connection that already broke: there is nothing left to release
                    }
                }
            }
        };
    }
}
