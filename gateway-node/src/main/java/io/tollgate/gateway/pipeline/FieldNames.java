package io.tollgate.gateway.pipeline;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Field names as parsers take them out of a buffer: a name that is one of the usual ones, spelt byte for byte as
 * clients and upstreams usually spell it (as registered, or all lower case), is one shared constant instead of a
 * new String for every request and answer; any other name or spelling gets a String of its own, exactly as sent.
 * The constants are the literals the filters look names up with, so such a lookup often finds the very same String.
 */
public final class FieldNames {
    private static final String[] USUAL = {
            // requests
            "Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language", "Connection", "X-API-Key",
            "Authorization", "Cookie", "Cache-Control", "X-Request-Id", "traceparent", "X-Forwarded-For", "Referer",
            "Origin", "If-None-Match", "If-Modified-Since",
            // answers
            "Content-Type", "Content-Length", "Date", "Server", "Transfer-Encoding", "ETag", "Last-Modified", "Vary",
            "Keep-Alive", "Set-Cookie", "Expires", "Location", "X-Powered-By"};
    private static final String[] KNOWN = Stream.concat(Arrays.stream(USUAL),
            Arrays.stream(USUAL).map(name -> name.toLowerCase(Locale.ROOT))).distinct().toArray(String[]::new);
    private static final int LONGEST = Arrays.stream(KNOWN).mapToInt(String::length).max().orElseThrow();
    /** The known names by length, as Strings and as bytes. */
    private static final String[][] BY_LENGTH = new String[LONGEST + 1][];
    private static final byte[][][] BYTES_BY_LENGTH = new byte[LONGEST + 1][][];

    static {
        for (int length = 0; length <= LONGEST; length++) {
            int n = length;
            BY_LENGTH[length] = Arrays.stream(KNOWN).filter(name -> name.length() == n).toArray(String[]::new);
            BYTES_BY_LENGTH[length] = Arrays.stream(BY_LENGTH[length])
                    .map(name -> name.getBytes(StandardCharsets.ISO_8859_1)).toArray(byte[][]::new);
        }
    }

    private FieldNames() {
    }

    /** The name in {@code buf[from, from + length)}, read as ISO-8859-1. */
    public static String of(byte[] buf, int from, int length) {
        if (length <= LONGEST) {
            byte[][] known = BYTES_BY_LENGTH[length];
            for (int k = 0; k < known.length; k++) {
                if (Arrays.equals(buf, from, from + length, known[k], 0, length)) {
                    return BY_LENGTH[length][k];
                }
            }
        }
        return new String(buf, from, length, StandardCharsets.ISO_8859_1);
    }
}
