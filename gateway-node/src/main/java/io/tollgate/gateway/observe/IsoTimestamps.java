package io.tollgate.gateway.observe;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Instants written as {@link Instant#toString()} writes them (ISO-8601 in UTC, {@code 2026-11-26T11:39:49.123456Z}),
 * for the access log: the date and time up to the second are formatted once per second and kept, so a line costs
 * only the fraction. Thread-safe: the cached second is one immutable pair swapped whole.
 */
final class IsoTimestamps {
    private record Second(long epochSecond, String text) {
    }

    private volatile Second cached = new Second(Long.MIN_VALUE, "");

    void append(StringBuilder out, Instant instant) {
        Second second = cached;
        if (second.epochSecond() != instant.getEpochSecond()) {
            second = new Second(instant.getEpochSecond(),
                    LocalDateTime.ofEpochSecond(instant.getEpochSecond(), 0, ZoneOffset.UTC).toString());
            cached = second;
        }
        String text = second.text();
        out.append(text);
        if (text.length() == 16) {
            out.append(":00");   // LocalDateTime leaves out zero seconds; Instant does not
        }
        int nanos = instant.getNano();
        // as Instant.toString: no fraction, or 3, 6 or 9 digits, whichever shows every non-zero digit
        if (nanos != 0) {
            out.append('.');
            if (nanos % 1_000_000 == 0) {
                pad(out, nanos / 1_000_000, 3);
            } else if (nanos % 1_000 == 0) {
                pad(out, nanos / 1_000, 6);
            } else {
                pad(out, nanos, 9);
            }
        }
        out.append('Z');
    }

    private static void pad(StringBuilder out, int value, int digits) {
        for (int power = pow10(digits - 1); power > 1 && value < power; power /= 10) {
            out.append('0');
        }
        out.append(value);
    }

    private static int pow10(int n) {
        int power = 1;
        for (int i = 0; i < n; i++) {
            power *= 10;
        }
        return power;
    }
}
