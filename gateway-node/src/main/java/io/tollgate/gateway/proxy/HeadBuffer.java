package io.tollgate.gateway.proxy;

/**
 * An HTTP/1.1 request head built as bytes, ready to be written in one piece: request line and {@code Host} from
 * {@link #startRequest}, fields, the blank line from {@link #end}, and (when it is small and whole) the body after
 * it. Kept apart from {@link UpstreamConnection} so that the blocking proxy and the event loop's forwarder send
 * exactly the same bytes; one buffer per connection, reused for each request on it (it only grows).
 */
final class HeadBuffer {
    private static final byte[] CRLF = {'\r', '\n'};

    private byte[] bytes = new byte[1024];
    private int length;

    /** Starts over with a request line and {@code Host}; fields follow with {@link #field}, then {@link #end}. */
    void startRequest(String method, String target, String host) {
        length = 0;
        ascii(method);
        ascii(" ");
        ascii(target);
        ascii(" HTTP/1.1\r\nHost: ");
        ascii(host);
        append(CRLF, 0, 2);
    }

    void field(String name, String value) {
        ascii(name);
        ascii(": ");
        ascii(value);
        append(CRLF, 0, 2);
    }

    /** The blank line that ends the head. */
    void end() {
        append(CRLF, 0, 2);
    }

    /** The buffer; valid bytes are {@code [0, length())}. */
    byte[] bytes() {
        return bytes;
    }

    int length() {
        return length;
    }

    void append(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, bytes, length, len);
        length += len;
    }

    @SuppressWarnings("deprecation")
    private void ascii(String s) {
        int n = s.length();
        ensure(n);
        // Field values came from a parsed request (or are ours); ISO-8859-1 gives back the bytes that arrived.
        // This getBytes is deprecated because it keeps only the low byte of each char, which is what is wanted
        // here, in one copy rather than a charAt per character.
        s.getBytes(0, n, bytes, length);
        length += n;
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            byte[] bigger = new byte[Math.max(bytes.length * 2, length + more)];
            System.arraycopy(bytes, 0, bigger, 0, length);
            bytes = bigger;
        }
    }
}
