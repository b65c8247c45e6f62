package io.tollgate.console.web;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Formatting helpers templates call as {@code ${show.when(t)}}; every time is shown in UTC. */
public final class Display {
    public static final Display INSTANCE = new Display();
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'");
    private static final DateTimeFormatter WHEN_SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'");
    private static final DateTimeFormatter INPUT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm");

    private Display() {
    }

    public String when(OffsetDateTime t) {
        return t == null ? "\u2014" : t.atZoneSameInstant(ZoneOffset.UTC).format(WHEN);
    }

    public String exact(OffsetDateTime t) {
        return t == null ? "\u2014" : t.atZoneSameInstant(ZoneOffset.UTC).format(WHEN_SECONDS);
    }

    /** The value of a datetime-local input, in UTC. */
    public String input(OffsetDateTime t) {
        return t == null ? "" : t.atZoneSameInstant(ZoneOffset.UTC).format(INPUT);
    }

    public String ago(OffsetDateTime t) {
        if (t == null) {
            return "never";
        }
        long s = Duration.between(t, OffsetDateTime.now()).getSeconds();
        if (s < 60) {
            return Math.max(0, s) + " s ago";
        }
        if (s < 3600) {
            return s / 60 + " min ago";
        }
        if (s < 86400) {
            return s / 3600 + " h ago";
        }
        return s / 86400 + " d ago";
    }

    public String join(List<?> values) {
        if (values == null || values.isEmpty()) {
            return "";
        }
        return String.join(", ", values.stream().map(String::valueOf).toList());
    }

    public String orDash(Object value) {
        return value == null ? "\u2014" : String.valueOf(value);
    }

    /** A number with thin grouping, e.g. 12 345. */
    public String count(long n) {
        return String.format("%,d", n);
    }

    /**
     * A datetime-local value (UTC, as the form says) as RFC 3339, or the text as typed so validation names it.
     */
    public static String rfc3339(String local) {
        if (local == null || local.isBlank()) {
            return null;
        }
        String s = local.strip();
        if (s.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}")) {
            return s + ":00Z";
        }
        if (s.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}")) {
            return s + "Z";
        }
        return s;
    }
}
