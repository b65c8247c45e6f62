package io.tollgate.gateway.proxy;

import io.tollgate.gateway.pipeline.HttpFields;

import java.io.IOException;

/**
 * Decodes a chunked body (RFC 9112 section 7.1) pushed to it in pieces of any size, as they arrive: the blocking
 * {@link UpstreamResponse} feeds it what each read gave, the event loop's forwarder what each readiness gave. Payload
 * bytes go straight from the input to a {@link Sink}; only a framing line that a piece cuts in two is kept here until
 * its end arrives.
 *
 * <p>The rules: a chunk-size line is hex digits (at most 15), then optionally spaces or tabs and extensions after a
 * {@code ;}, which are ignored; the data is followed by an empty line; size 0 ends the data and the trailer section
 * follows up to an empty line. Framing lines obey the rules of head lines ({@link ResponseHead#line}: no control
 * character but HTAB, no whitespace first, CRLF or a bare LF) and are at most {@link ResponseHead#MAX_HEAD} bytes
 * each; the whole trailer section is at most that too. Trailer fields that are well formed are kept
 * ({@link #trailers}); others are passed over, as the blocking proxy always did (it forwards no trailers). Anything
 * else is an {@link IOException}, after which the decoder refuses more input. Not thread-safe; {@link #reset} makes
 * it ready for the next body on the same connection.
 */
final class ChunkDecoder {
    /** Where payload bytes go; {@code buf} is only valid during the call. */
    interface Sink {
        void data(byte[] buf, int off, int len) throws IOException;
    }

    private static final int SIZE = 0;
    private static final int DATA = 1;
    private static final int DATA_END = 2;
    private static final int TRAILER = 3;
    private static final int DONE = 4;
    private static final int FAILED = 5;

    private int state = SIZE;
    /** Payload bytes left in the current chunk. */
    private long remaining;
    /** The start of a framing line whose end has not arrived; made when first needed. */
    private byte[] partial;
    private int partialLength;
    /** What the trailer section may still take. */
    private int trailerBudget = ResponseHead.MAX_HEAD;
    private HttpFields trailers;

    /** Ready for a new body: forgets the last one (and its trailers). */
    void reset() {
        state = SIZE;
        remaining = 0;
        partialLength = 0;
        trailerBudget = ResponseHead.MAX_HEAD;
        trailers = null;
    }

    /**
     * Decodes what it can of {@code buf[from, to)}, payload to {@code sink}, and returns the index up to which the
     * input was consumed: {@code to}, unless the body ended before it (the bytes after it are not the body's).
     */
    int feed(byte[] buf, int from, int to, Sink sink) throws IOException {
        if (state == FAILED) {
            throw new IOException("chunked body from upstream already broke off");
        }
        try {
            return decode(buf, from, to, sink);
        } catch (IOException | RuntimeException e) {
            state = FAILED;
            throw e;
        }
    }

    /** Whether the last chunk and the trailer section were read. */
    boolean done() {
        return state == DONE;
    }

    /** The well-formed trailer fields read so far (all of them once {@link #done}); empty when none. */
    HttpFields trailers() {
        return trailers == null ? new HttpFields() : trailers;
    }

    private int decode(byte[] buf, int from, int to, Sink sink) throws IOException {
        int p = from;
        while (p < to && state != DONE) {
            if (state == DATA) {
                int n = (int) Math.min(remaining, to - p);
                remaining -= n;
                if (remaining == 0) {
                    state = DATA_END;
                }
                sink.data(buf, p, n);
                p += n;
                continue;
            }
            int budget = state == TRAILER ? trailerBudget : ResponseHead.MAX_HEAD;
            int lf = ResponseHead.lineEnd(buf, p, to, budget - partialLength);
            if (lf < 0) {
                keep(buf, p, to);
                return to;
            }
            int length = partialLength + lf + 1 - p;
            String text;
            if (partialLength == 0) {
                text = ResponseHead.line(buf, p, lf);
            } else {
                keep(buf, p, lf + 1);
                text = ResponseHead.line(partial, 0, partialLength - 1);
                partialLength = 0;
            }
            p = lf + 1;
            line(text, length);
        }
        return p;
    }

    /** One whole framing line, without its ending; {@code length} with it. */
    private void line(String text, int length) throws IOException {
        switch (state) {
            case SIZE -> {
                long size = chunkSize(text);
                if (size == 0) {
                    state = TRAILER;
                } else {
                    remaining = size;
                    state = DATA;
                }
            }
            case DATA_END -> {
                if (!text.isEmpty()) {
                    throw new IOException("malformed chunk from upstream");
                }
                state = SIZE;
            }
            case TRAILER -> {
                trailerBudget -= length;
                if (text.isEmpty()) {
                    state = DONE;
                    return;
                }
                int colon = text.indexOf(':');
                if (colon > 0 && FieldChecks.token(text, colon)) {
                    if (trailers == null) {
                        trailers = new HttpFields();
                    }
                    trailers.add(text.substring(0, colon), text.substring(colon + 1).strip());
                }
            }
            default -> throw new IllegalStateException("no line expected in state " + state);
        }
    }

    private static long chunkSize(String line) throws IOException {
        int semicolon = line.indexOf(';');
        String hex = (semicolon >= 0 ? line.substring(0, semicolon) : line).strip();
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
        return size;
    }

    /** Keeps {@code buf[from, to)} after what is kept of the current line. */
    private void keep(byte[] buf, int from, int to) {
        int n = to - from;
        if (partial == null || partialLength + n > partial.length) {
            // bounded: lineEnd refused a line longer than the budget before this
            int size = Math.max(128, Math.max(partialLength + n, partial == null ? 0 : partial.length * 2));
            byte[] bigger = new byte[size];
            if (partialLength > 0) {
                System.arraycopy(partial, 0, bigger, 0, partialLength);
            }
            partial = bigger;
        }
        System.arraycopy(buf, from, partial, partialLength, n);
        partialLength += n;
    }
}
