package io.tollgate.gateway.proxy;

/**
 * What an upstream's answer fields must look like before they go to a client (RFC 9110 section 5): names are
 * tokens, values hold no control character but HTAB. The gateway's listeners do not have Helidon check answer
 * fields again (it costs a pass and an allocation per field of every answer), so both upstream clients check here.
 */
final class FieldChecks {
    private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";

    private FieldChecks() {
    }

    /** Whether {@code text[0, end)} is a token: a field name, nothing else (no whitespace, no colon). */
    static boolean token(CharSequence text, int end) {
        if (end == 0) {
            return false;
        }
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || TOKEN_SYMBOLS.indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Whether the bytes {@code buf[from, to)} are a token (as {@link #token(CharSequence, int)}). */
    static boolean token(byte[] buf, int from, int to) {
        if (to == from) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = (char) (buf[i] & 0xff);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || TOKEN_SYMBOLS.indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code value} may be a field value: no control character but HTAB (so no CR, LF or NUL). */
    static boolean validValue(String value) {
        for (int i = 0, n = value.length(); i < n; i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return false;
            }
        }
        return true;
    }
}
