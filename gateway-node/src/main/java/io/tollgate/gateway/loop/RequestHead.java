package io.tollgate.gateway.loop;

import io.tollgate.gateway.pipeline.FieldNames;
import io.tollgate.gateway.pipeline.HttpFields;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The head of an HTTP/1.1 request the event loop serves itself, parsed straight from the connection's read buffer.
 *
 * <p>The parser is strict on purpose: it accepts only plain, well-formed heads of requests without a body and
 * answers {@link #HANDOVER} for everything else, so that Helidon, which gets the connection then, gives unusual
 * or malformed requests the answer it always gave (400, 414, 431, 505) or serves them (HTTP/2, upgrades, bodies).
 * Wrongly handing over costs a little speed; wrongly accepting would answer a request differently than Helidon
 * does. So what the rules accept is a subset of what Helidon (with its default HTTP/1 settings) accepts:
 * <ul>
 *   <li>request line {@code METHOD SP origin-form SP HTTP/1.1 CRLF}, single spaces, a method of 1 to 20 token
 *       characters, at most {@value #MAX_REQUEST_LINE} bytes with its CRLF (Helidon allows 4096); the target only
 *       of RFC 3986 characters (no {@code '#'}, a {@code '%'} followed by two hex digits);</li>
 *   <li>every line ends with CRLF; no line starts with SP or HTAB (obsolete folding);</li>
 *   <li>a field is a token name directly followed by {@code ':'} and a value of SP, HTAB, visible ASCII and
 *       obs-text (0x80-0xFF), with surrounding SP/HTAB trimmed; at most {@value #MAX_FIELDS} fields;</li>
 *   <li>exactly one Host field, of the plain form {@code name-or-IP-literal[:port]} (Helidon validates the Host
 *       field and answers 400 to a malformed one, so the loop must not route it);</li>
 *   <li>no Content-Length, Transfer-Encoding, Upgrade, HTTP2-Settings or Expect field (bodies and protocol
 *       switches are Helidon's); Connection only with the tokens keep-alive and close;</li>
 *   <li>the whole head, final empty line included, at most {@value #MAX_HEAD} bytes.</li>
 * </ul>
 *
 * <p>{@link #parse} runs for every request on the event-loop thread, so it makes one pass over the bytes, without
 * regular expressions, splitting or exceptions, and makes each String once, from the buffer. It keeps no state
 * between calls: a head that arrives in pieces is parsed again from its start when more bytes have come, which is
 * rare (a head almost always arrives in one read).
 */
final class RequestHead {
    /**
     * Longest head (request line through the final empty line) the loop serves. Helidon's max-headers-size is as
     * large but counts the fields only.
     */
    static final int MAX_HEAD = 16384;
    /** Longest request line, CRLF included. */
    static final int MAX_REQUEST_LINE = 2048;
    static final int MAX_METHOD = 20;
    static final int MAX_FIELDS = 100;

    /** The head could not be parsed here: the connection goes to Helidon, which answers it (possibly with an error). */
    static final RequestHead HANDOVER = new RequestHead(null, null, null, null, null, 0, false);

    private static final byte[] VERSION = "HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1);

    // field names the parser acts on, lower case, compared with the received bytes without making a String first
    private static final byte[] HOST = ascii("host");
    private static final byte[] CONNECTION = ascii("connection");
    private static final byte[] CONTENT_LENGTH = ascii("content-length");
    private static final byte[] TRANSFER_ENCODING = ascii("transfer-encoding");
    private static final byte[] UPGRADE = ascii("upgrade");
    private static final byte[] HTTP2_SETTINGS = ascii("http2-settings");
    private static final byte[] EXPECT = ascii("expect");
    private static final byte[] CLOSE = ascii("close");
    private static final byte[] KEEP_ALIVE = ascii("keep-alive");

    /** The usual methods as constants: no String made for them on each request. */
    private static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"};
    private static final byte[][] METHOD_BYTES = new byte[METHODS.length][];

    // character classes, indexed by the byte's unsigned value
    private static final boolean[] TCHAR = new boolean[256];
    /** Characters a target may hold as they are (RFC 3986 pchar without pct-encoded, plus '/' and '?'). */
    private static final boolean[] TARGET = new boolean[256];
    private static final boolean[] HEX = new boolean[256];
    /** Characters of a host name in the Host field: RFC 3986 unreserved (Helidon's reg-name allows more). */
    private static final boolean[] HOST_NAME = new boolean[256];

    static {
        for (int c = 0; c < 256; c++) {
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            TCHAR[c] = alnum || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            HOST_NAME[c] = alnum || "-._~".indexOf(c) >= 0;
            TARGET[c] = HOST_NAME[c] || "!$&'()*+,;=:@/?".indexOf(c) >= 0;
            HEX[c] = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        }
        for (int m = 0; m < METHODS.length; m++) {
            METHOD_BYTES[m] = METHODS[m].getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    private final String method;
    private final String rawPath;
    private final String rawQuery;
    private final String host;
    private final HttpFields fields;
    private final int length;
    private final boolean close;

    private RequestHead(String method, String rawPath, String rawQuery, String host, HttpFields fields, int length,
                        boolean close) {
        this.method = method;
        this.rawPath = rawPath;
        this.rawQuery = rawQuery;
        this.host = host;
        this.fields = fields;
        this.length = length;
        this.close = close;
    }

    /**
     * Parses the request head at {@code buf[from, to)}. Returns null when the head is not complete yet (no empty
     * line) and more bytes could still make a head this parser accepts; {@link #HANDOVER} when the request is not
     * one the event loop serves itself or the head is over the limits; else the parsed head. A syntax rule or a
     * limit is decided as soon as the offending byte has arrived, the Host and Connection values when their line
     * is complete, a missing Host field at the empty line. Bytes after the head (a pipelined request) are left
     * alone: {@link #length()} says where the next request starts.
     */
    static RequestHead parse(byte[] buf, int from, int to) {
        // Running out of bytes means "not complete yet", unless the limit is what ran out. Bytes beyond the
        // limits are never looked at.
        int end = Math.min(to, from + MAX_HEAD);
        RequestHead starved = end - from < MAX_HEAD ? null : HANDOVER;
        int lineEnd = Math.min(end, from + MAX_REQUEST_LINE);
        RequestHead lineStarved = lineEnd - from < MAX_REQUEST_LINE ? starved : HANDOVER;

        // method SP: a leading empty line, an empty method or whitespace other than one SP is handed over
        int i = from;
        int methodEnd = Math.min(lineEnd, from + MAX_METHOD);
        while (i < methodEnd && TCHAR[buf[i] & 0xff]) {
            i++;
        }
        if (i == lineEnd) {
            return lineStarved;
        }
        if (buf[i] != ' ' || i == from) {
            return HANDOVER;
        }
        String method = method(buf, from, i);

        // origin-form target SP: split at the first '?'
        int targetStart = ++i;
        int query = -1;
        if (i == lineEnd) {
            return lineStarved;
        }
        if (buf[i] != '/') {
            return HANDOVER;   // absolute-form, authority-form (CONNECT), asterisk-form (OPTIONS *, the HTTP/2 preface)
        }
        while (true) {
            if (i == lineEnd) {
                return lineStarved;
            }
            byte b = buf[i];
            if (b == ' ') {
                break;
            }
            if (b == '%') {
                if ((i + 1 < lineEnd && !HEX[buf[i + 1] & 0xff]) || (i + 2 < lineEnd && !HEX[buf[i + 2] & 0xff])) {
                    return HANDOVER;
                }
                if (i + 2 >= lineEnd) {
                    return lineStarved;
                }
                i += 3;
                continue;
            }
            if (!TARGET[b & 0xff]) {
                return HANDOVER;
            }
            if (b == '?' && query < 0) {
                query = i;
            }
            i++;
        }
        int targetEnd = i++;

        // HTTP/1.1 CRLF, byte for byte: HTTP/1.0, HTTP/2.0, a bare LF, trailing whitespace are all handed over
        for (byte v : VERSION) {
            if (i == lineEnd) {
                return lineStarved;
            }
            if (buf[i++] != v) {
                return HANDOVER;
            }
        }

        HttpFields fields = new HttpFields();
        String host = null;
        boolean close = false;
        int count = 0;
        while (true) {
            if (i == end) {
                return starved;
            }
            if (buf[i] == '\r') {   // the empty line: the head is complete
                if (i + 1 == end) {
                    return starved;
                }
                if (buf[i + 1] != '\n' || host == null) {
                    return HANDOVER;
                }
                String rawPath = new String(buf, targetStart, (query < 0 ? targetEnd : query) - targetStart,
                        StandardCharsets.ISO_8859_1);
                String rawQuery = query < 0 || query + 1 == targetEnd ? null
                        : new String(buf, query + 1, targetEnd - query - 1, StandardCharsets.ISO_8859_1);
                return new RequestHead(method, rawPath, rawQuery, host, fields, i + 2 - from, close);
            }
            if (count == MAX_FIELDS) {
                return HANDOVER;
            }

            // name ':' -- a line starting with SP/HTAB (obsolete folding), whitespace before the colon, a line
            // without a colon (a bare LF, a lone CR) all end the name early and are handed over
            int nameStart = i;
            while (i < end && TCHAR[buf[i] & 0xff]) {
                i++;
            }
            if (i == end) {
                return starved;
            }
            if (buf[i] != ':' || i == nameStart) {
                return HANDOVER;
            }
            int nameEnd = i++;
            int nameLength = nameEnd - nameStart;
            boolean isHost = false;
            boolean isConnection = false;
            switch (nameLength) {
                case 4 -> isHost = is(buf, nameStart, HOST);
                case 6 -> {
                    if (is(buf, nameStart, EXPECT)) {
                        return HANDOVER;
                    }
                }
                case 7 -> {
                    if (is(buf, nameStart, UPGRADE)) {
                        return HANDOVER;
                    }
                }
                case 10 -> isConnection = is(buf, nameStart, CONNECTION);
                case 14 -> {
                    if (is(buf, nameStart, CONTENT_LENGTH) || is(buf, nameStart, HTTP2_SETTINGS)) {
                        return HANDOVER;
                    }
                }
                case 17 -> {
                    if (is(buf, nameStart, TRANSFER_ENCODING)) {
                        return HANDOVER;
                    }
                }
                default -> {
                }
            }
            if (isHost && host != null) {
                return HANDOVER;   // a second Host field
            }

            // OWS value OWS CRLF
            while (i < end && (buf[i] == ' ' || buf[i] == '\t')) {
                i++;
            }
            int valueStart = i;
            int valueEnd = i;   // after the last byte that is not SP/HTAB
            while (true) {
                if (i == end) {
                    return starved;
                }
                byte b = buf[i];
                if (b == '\r') {
                    break;
                }
                if (b < 0 || (b > ' ' && b != 0x7f)) {
                    valueEnd = i + 1;
                } else if (b != ' ' && b != '\t') {
                    return HANDOVER;   // a control character, a bare LF among them
                }
                i++;
            }
            if (i + 1 == end) {
                return starved;
            }
            if (buf[i + 1] != '\n') {
                return HANDOVER;
            }
            i += 2;

            if (isConnection) {
                int tokens = connectionTokens(buf, valueStart, valueEnd);
                if (tokens < 0) {
                    return HANDOVER;
                }
                close |= tokens == 1;
            }
            if (isHost && !plainHost(buf, valueStart, valueEnd)) {
                return HANDOVER;
            }
            String value = valueEnd == valueStart ? ""
                    : new String(buf, valueStart, valueEnd - valueStart, StandardCharsets.ISO_8859_1);
            fields.add(FieldNames.of(buf, nameStart, nameLength), value);
            if (isHost) {
                host = value;
            }
            count++;
        }
    }

    String method() {
        return method;
    }

    /** The path as on the wire, percent-encoding untouched, e.g. {@code /a%2Fb/c}. */
    String rawPath() {
        return rawPath;
    }

    /** What follows the first '?', exactly as sent; null when there is no '?' or nothing after it. */
    String rawQuery() {
        return rawQuery;
    }

    /** The Host field's value. */
    String host() {
        return host;
    }

    /**
     * Every field in order, names as sent, values with surrounding SP/HTAB trimmed. The head's own list: it goes
     * to the exchange as it is, and filters may change it.
     */
    HttpFields fields() {
        return fields;
    }

    /** Bytes the head took, including the final CRLF CRLF: where a pipelined next request starts. */
    int length() {
        return length;
    }

    /** Whether the client sent Connection: close. */
    boolean close() {
        return close;
    }

    private static String method(byte[] buf, int from, int to) {
        for (int m = 0; m < METHODS.length; m++) {
            byte[] known = METHOD_BYTES[m];
            if (known.length == to - from && Arrays.equals(buf, from, to, known, 0, known.length)) {
                return METHODS[m];
            }
        }
        return new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
    }

    /** Whether the {@code lower.length} bytes at {@code buf[at]} are {@code lower} in any ASCII case. */
    private static boolean is(byte[] buf, int at, byte[] lower) {
        for (int k = 0; k < lower.length; k++) {
            int c = buf[at + k];
            if (c != lower[k] && !(c >= 'A' && c <= 'Z' && c + ('a' - 'A') == lower[k])) {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks a Connection value: 1 when it lists close, 0 when it lists only keep-alive, -1 when it lists anything
     * else or has an empty element (another token names a hop-by-hop field or asks for an upgrade: Helidon's).
     */
    private static int connectionTokens(byte[] buf, int from, int to) {
        int result = 0;
        int i = from;
        while (true) {
            while (i < to && (buf[i] == ' ' || buf[i] == '\t')) {
                i++;
            }
            int start = i;
            while (i < to && buf[i] != ',' && buf[i] != ' ' && buf[i] != '\t') {
                i++;
            }
            int length = i - start;
            if (length == CLOSE.length && is(buf, start, CLOSE)) {
                result = 1;
            } else if (length != KEEP_ALIVE.length || !is(buf, start, KEEP_ALIVE)) {
                return -1;
            }
            while (i < to && (buf[i] == ' ' || buf[i] == '\t')) {
                i++;
            }
            if (i == to) {
                return result;
            }
            if (buf[i] != ',') {
                return -1;   // whitespace inside a token
            }
            i++;
        }
    }

    /**
     * Whether a Host value is a plain {@code host[:port]}: a non-empty name of RFC 3986 unreserved characters or an
     * IP literal of hex digits, ':' and '.', and a port of 1 to 5 digits up to 65535. Helidon answers 400 to a
     * malformed Host field; anything unusual (percent-encoding, sub-delims, IPvFuture) goes to it as well.
     */
    private static boolean plainHost(byte[] buf, int from, int to) {
        int i = from;
        if (i < to && buf[i] == '[') {
            i++;
            while (i < to && (HEX[buf[i] & 0xff] || buf[i] == ':' || buf[i] == '.')) {
                i++;
            }
            if (i == from + 1 || i == to || buf[i] != ']') {
                return false;
            }
            i++;
        } else {
            while (i < to && HOST_NAME[buf[i] & 0xff]) {
                i++;
            }
            if (i == from) {
                return false;
            }
        }
        if (i == to) {
            return true;
        }
        if (buf[i] != ':' || to - i - 1 < 1 || to - i - 1 > 5) {
            return false;
        }
        int port = 0;
        for (i++; i < to; i++) {
            if (buf[i] < '0' || buf[i] > '9') {
                return false;
            }
            port = port * 10 + (buf[i] - '0');
        }
        return port <= 65535;
    }

    private static byte[] ascii(String name) {
        return name.getBytes(StandardCharsets.ISO_8859_1);
    }
}
