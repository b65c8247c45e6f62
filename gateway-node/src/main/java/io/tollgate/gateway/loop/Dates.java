package io.tollgate.gateway.loop;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** The {@code Date} field's value (RFC 9110 section 6.6.1), formatted once per second rather than per answer. */
final class Dates {
    /** IMF-fixdate: always two digits for the day, English names, GMT. */
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.US);
    private volatile long second = Long.MIN_VALUE;
    private volatile String value;

    String now() {
        long millis = System.currentTimeMillis();
        long current = millis / 1000;
        String cached = value;
        if (current == second && cached != null) {
            return cached;
        }
        String formatted = IMF_FIXDATE.format(
                ZonedDateTime.ofInstant(java.time.Instant.ofEpochSecond(current), ZoneOffset.UTC));
        value = formatted;
        second = current;
        return formatted;
    }
}
