package io.tollgate.gateway.observe;

import io.tollgate.gateway.pipeline.Chain;
import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.Filter;
import io.tollgate.gateway.pipeline.Response;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Keeps a well-formed {@code X-Request-Id} (1-128 of {@code [A-Za-z0-9._:-]}) or mints a UUID; keeps a valid
 * W3C {@code traceparent} or starts a new trace. Both are forwarded upstream; the request id is returned to the
 * client on every response and is the {@code instance} of every problem.
 */
public final class RequestIdFilter implements Filter {
    static final String REQUEST_ID = "X-Request-Id";
    static final String TRACEPARENT = "traceparent";
    private static final Pattern REQUEST_ID_FORMAT = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);
    private static final Pattern TRACEPARENT_FORMAT =
            Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?");

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        String requestId = exchange.requestHeaders().first(REQUEST_ID);
        if (requestId == null || !REQUEST_ID_FORMAT.matcher(requestId).matches()) {
            requestId = newRequestId();
        }
        String traceparent = exchange.requestHeaders().first(TRACEPARENT);
        if (!validTraceparent(traceparent)) {
            traceparent = newTraceparent();
        }
        exchange.requestId(requestId);
        exchange.traceparent(traceparent);
        exchange.requestHeaders().set(REQUEST_ID, requestId);
        exchange.requestHeaders().set(TRACEPARENT, traceparent);
        exchange.responseHeaders().set(REQUEST_ID, requestId);
        return chain.proceed(exchange);
    }

    static boolean validTraceparent(String value) {
        if (value == null) {
            return false;
        }
        var m = TRACEPARENT_FORMAT.matcher(value);
        if (!m.matches()) {
            return false;
        }
        String version = m.group(1);
        // Version ff is forbidden; version 00 has exactly four fields; all-zero ids are invalid.
        return !"ff".equals(version)
                && !("00".equals(version) && m.group(5) != null)
                && !m.group(2).chars().allMatch(c -> c == '0')
                && !m.group(3).chars().allMatch(c -> c == '0');
    }

    /**
     * A random (version 4) UUID. Ids must be unique, not unguessable (they name a request, they grant nothing), so
     * they come from {@link ThreadLocalRandom} rather than {@code UUID.randomUUID()}'s SecureRandom, which cost
     * ~2% of the node's CPU under load.
     */
    static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;                       // version 4
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;  // IETF variant
        return new UUID(high, low).toString();
    }

    /**
     * A new trace: random trace and span ids (never all zeros), sampled. Unique, not secret, like the request id.
     * Written as one array of its 55 characters, not as three hex Strings and their concatenation.
     */
    static String newTraceparent() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        byte[] text = new byte[55];   // 00-<trace id: 32 hex>-<span id: 16 hex>-01
        text[0] = '0';
        text[1] = '0';
        text[2] = '-';
        hex(text, 3, random.nextLong() | 1L << 56);
        hex(text, 19, random.nextLong());
        text[35] = '-';
        hex(text, 36, random.nextLong() | 1L << 56);
        text[52] = '-';
        text[53] = '0';
        text[54] = '1';
        return new String(text, StandardCharsets.ISO_8859_1);
    }

    /** {@code value} as 16 lower-case hex digits at {@code out[at]}, most significant first. */
    private static void hex(byte[] out, int at, long value) {
        for (int i = 15; i >= 0; i--) {
            out[at + i] = HEX_DIGITS[(int) (value & 0xf)];
            value >>>= 4;
        }
    }
}
