package io.tollgate.gateway.proxy;

import io.tollgate.gateway.pipeline.FieldNames;
import io.tollgate.gateway.pipeline.HttpFields;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An upstream's HTTP/1.x response head parsed from bytes, and how its body is framed (RFC 9112 section 6.3). A pure
 * parser: it reads no socket and keeps no state between calls, so the blocking {@link UpstreamConnection} and the
 * event loop's forwarder parse answers by exactly the same rules — they call {@link #parse} again with more bytes
 * until it gives a head.
 *
 * <p>The rules: a status line {@code HTTP/1.0} or {@code HTTP/1.1}, a space, three digits of at least 100, then a
 * space and a reason or nothing; fields {@code name: value} with a token for a name; no control character but HTAB
 * anywhere (Helidon does not check answer fields again), no line starting with whitespace (obsolete folding is
 * refused); lines end with CRLF or a bare LF (which RFC 9112 allows a recipient to accept); at most
 * {@link #MAX_HEAD} bytes for all heads together. Interim 1xx answers are skipped; 101 only when an upgrade was
 * asked for, and then returned without body. Framing: none for HEAD, 204 and 304; Transfer-Encoding wins over
 * Content-Length (which is then removed, and such a connection not reused), chunked when chunked is the last coding,
 * else until the upstream closes; Content-Length (identical when repeated); else until close. Anything else is an
 * {@link IOException}.
 */
final class ResponseHead {
    /** The largest response head (status lines and fields, 1xx heads included) accepted from an upstream. */
    static final int MAX_HEAD = 64 * 1024;
    private static final byte[] HTTP_1 = "HTTP/1.".getBytes(StandardCharsets.ISO_8859_1);

    private final int status;
    private final HttpFields fields;
    private final int framing;
    private final long length;
    private final boolean keepAlive;
    private final int consumed;

    private ResponseHead(int status, HttpFields fields, int framing, long length, boolean keepAlive, int consumed) {
        this.status = status;
        this.fields = fields;
        this.framing = framing;
        this.length = length;
        this.keepAlive = keepAlive;
        this.consumed = consumed;
    }

    /**
     * Parses the head that starts at {@code buf[from]}, of a request that was a HEAD ({@code headRequest}) or asked
     * for an upgrade ({@code upgrade}: a 101 answer is then the head). Null when {@code [from, to)} does not hold a
     * whole final head yet (more bytes are needed); an {@link IOException} as soon as what is there is malformed or
     * {@link #MAX_HEAD} is passed.
     */
    static ResponseHead parse(byte[] buf, int from, int to, boolean headRequest, boolean upgrade)
            throws IOException {
        int budget = MAX_HEAD;
        int p = from;
        while (true) {
            int lf = lineEnd(buf, p, to, budget);
            if (lf < 0) {
                return null;
            }
            // the status line and the fields are checked and taken apart in the buffer: only the field names and
            // values become Strings
            int end = checkedEnd(buf, p, lf);
            int lineLength = end - p;
            if (lineLength < 12 || !Arrays.equals(buf, p, p + 7, HTTP_1, 0, 7) || buf[p + 8] != ' '
                    || (lineLength > 12 && buf[p + 12] != ' ')) {
                throw new IOException("malformed status line from upstream");
            }
            boolean http11 = buf[p + 7] == '1';
            if (!http11 && buf[p + 7] != '0') {
                throw new IOException("unsupported HTTP version from upstream");
            }
            int status = statusCode(buf, p + 9);
            budget -= lf + 1 - p;
            p = lf + 1;
            HttpFields fields = new HttpFields();
            while (true) {
                lf = lineEnd(buf, p, to, budget);
                if (lf < 0) {
                    return null;
                }
                end = checkedEnd(buf, p, lf);
                int start = p;
                budget -= lf + 1 - p;
                p = lf + 1;
                if (end == start) {
                    break;
                }
                int colon = start;
                while (colon < end && buf[colon] != ':') {
                    colon++;
                }
                if (colon == start || colon == end || !FieldChecks.token(buf, start, colon)) {
                    throw new IOException("malformed header field from upstream");
                }
                // the value without surrounding whitespace: in a checked line, that can only be SP and HTAB
                int valueStart = colon + 1;
                int valueEnd = end;
                while (valueStart < valueEnd && (buf[valueStart] == ' ' || buf[valueStart] == '\t')) {
                    valueStart++;
                }
                while (valueEnd > valueStart && (buf[valueEnd - 1] == ' ' || buf[valueEnd - 1] == '\t')) {
                    valueEnd--;
                }
                fields.add(FieldNames.of(buf, start, colon - start),
                        new String(buf, valueStart, valueEnd - valueStart, StandardCharsets.ISO_8859_1));
            }
            if (status == 101 && upgrade) {
                // the connection now belongs to the new protocol: no body, never reused
                return new ResponseHead(status, fields, UpstreamResponse.NO_BODY, -1, false, p - from);
            }
            if (status == 101) {
                throw new IOException("upstream switched protocols unasked");
            }
            if (status < 200) {
                continue;   // 100 Continue, 103 Early Hints: interim, the real answer follows
            }
            return frame(status, http11, fields, headRequest, p - from);
        }
    }

    private static ResponseHead frame(int status, boolean http11, HttpFields fields, boolean headRequest,
                                      int consumed) throws IOException {
        boolean keepAlive = http11;
        String transferEncoding = null;
        long contentLength = -1;
        for (int i = 0, n = fields.size(); i < n; i++) {
            String name = fields.name(i);
            String value = fields.value(i);
            if (name.equalsIgnoreCase("Connection")) {
                for (String token : value.split(",")) {
                    String t = token.strip();
                    if (t.equalsIgnoreCase("close")) {
                        keepAlive = false;
                    } else if (t.equalsIgnoreCase("keep-alive") && !http11) {
                        keepAlive = true;
                    }
                }
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                transferEncoding = transferEncoding == null ? value : transferEncoding + ", " + value;
            } else if (name.equalsIgnoreCase("Content-Length")) {
                long length = contentLength(value);
                if (contentLength >= 0 && contentLength != length) {
                    throw new IOException("conflicting Content-Length from upstream");
                }
                contentLength = length;
            }
        }
        if (headRequest || status == 204 || status == 304) {
            return new ResponseHead(status, fields, UpstreamResponse.NO_BODY, -1, keepAlive, consumed);
        }
        if (transferEncoding != null) {
            // RFC 9112 6.3: Transfer-Encoding wins over Content-Length, and such a connection is not reused
            fields.remove("Content-Length");
            if (contentLength >= 0) {
                keepAlive = false;
            }
            String last = transferEncoding.substring(transferEncoding.lastIndexOf(',') + 1).strip();
            if (last.equalsIgnoreCase("chunked")) {
                return new ResponseHead(status, fields, UpstreamResponse.CHUNKED, -1, keepAlive, consumed);
            }
            return new ResponseHead(status, fields, UpstreamResponse.UNTIL_CLOSE, -1, false, consumed);
        }
        if (contentLength >= 0) {
            return new ResponseHead(status, fields, UpstreamResponse.FIXED, contentLength, keepAlive, consumed);
        }
        return new ResponseHead(status, fields, UpstreamResponse.UNTIL_CLOSE, -1, false, consumed);
    }

    /** The three digits at {@code buf[at]}, at least 100. */
    private static int statusCode(byte[] buf, int at) throws IOException {
        int code = 0;
        for (int i = at; i < at + 3; i++) {
            byte c = buf[i];
            if (c < '0' || c > '9') {
                throw new IOException("malformed status code from upstream");
            }
            code = code * 10 + (c - '0');
        }
        if (code < 100) {
            throw new IOException("malformed status code from upstream");
        }
        return code;
    }

    private static long contentLength(String value) throws IOException {
        if (value.isEmpty() || value.length() > 18) {
            throw new IOException("malformed Content-Length from upstream");
        }
        long length = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw new IOException("malformed Content-Length from upstream");
            }
            length = length * 10 + (c - '0');
        }
        return length;
    }

    /**
     * The index of the LF that ends the line starting at {@code start}, or -1 when {@code [start, to)} holds none
     * yet; "too large" when the line with its ending is longer than {@code budget}, or when the bytes without an
     * LF already are as long. Shared with the chunk framing, whose lines follow the same rules.
     */
    static int lineEnd(byte[] buf, int start, int to, int budget) throws IOException {
        for (int i = start; i < to; i++) {
            if (buf[i] == '\n') {
                if (i + 1 - start > budget) {
                    throw new IOException("response head from upstream too large");
                }
                return i;
            }
        }
        if (to - start >= budget) {
            throw new IOException("response head from upstream too large");
        }
        return -1;
    }

    /**
     * The line {@code [start, lf)} without its line ending (CRLF or bare LF), checked: no control character but
     * HTAB, no whitespace first (obsolete folding).
     */
    static String line(byte[] buf, int start, int lf) throws IOException {
        int end = checkedEnd(buf, start, lf);
        return new String(buf, start, end - start, StandardCharsets.ISO_8859_1);
    }

    /** Checks the line {@code [start, lf)} as {@link #line} does; where it ends without its line ending. */
    private static int checkedEnd(byte[] buf, int start, int lf) throws IOException {
        int end = lf > start && buf[lf - 1] == '\r' ? lf - 1 : lf;
        for (int j = start; j < end; j++) {
            byte b = buf[j];
            // RFC 9110 5.5: no control characters but HTAB in a field (CR, NUL and the rest would reach the
            // client as they are: Helidon does not check answer fields again)
            if ((b >= 0 && b < 0x20 && b != '\t') || b == 0x7f || (j == start && (b == ' ' || b == '\t'))) {
                throw new IOException("malformed response head from upstream");
            }
        }
        return end;
    }

    int status() {
        return status;
    }

    /** The final answer's fields as received (Content-Length removed when Transfer-Encoding came too). */
    HttpFields fields() {
        return fields;
    }

    /** {@link UpstreamResponse#NO_BODY}, {@code FIXED}, {@code CHUNKED} or {@code UNTIL_CLOSE}. */
    int framing() {
        return framing;
    }

    /** The Content-Length when {@link #framing()} is FIXED (may be 0), else -1. */
    long length() {
        return length;
    }

    /** Whether the connection may carry another request once this answer's body was read to its end. */
    boolean keepAlive() {
        return keepAlive;
    }

    /** How many bytes from {@code from} the heads took, the skipped 1xx heads included; the body starts after. */
    int consumed() {
        return consumed;
    }
}
