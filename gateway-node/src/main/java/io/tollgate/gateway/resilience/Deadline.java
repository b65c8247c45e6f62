package io.tollgate.gateway.resilience;

import java.time.Duration;

/**
 * The time a request has in total, across all its attempts: the route's deadline, shortened by a {@code grpc-timeout}
 * the client sent. {@link #NONE} when neither is set; then each attempt only has the service's read timeout.
 */
public final class Deadline {
    public static final Deadline NONE = new Deadline(Long.MAX_VALUE);
    /** The header carrying the remaining milliseconds to the upstream, which may use it to give up early. */
    public static final String HEADER = "X-Tollgate-Deadline-Ms";

    /** Limits this long or longer are no limit: far beyond any timeout, and safe to add to a nanoTime. */
    private static final Duration HORIZON = Duration.ofDays(365 * 100);

    private final long atNanos;

    private Deadline(long atNanos) {
        this.atNanos = atNanos;
    }

    /**
     * @param startNanos  when the request arrived ({@link System#nanoTime()})
     * @param route       the route's total deadline, or null
     * @param grpcTimeout the client's {@code grpc-timeout} header, or null; ignored when malformed
     */
    public static Deadline of(long startNanos, Duration route, String grpcTimeout) {
        Duration limit = route;
        Duration client = grpcTimeout(grpcTimeout);
        if (client != null && (limit == null || client.compareTo(limit) < 0)) {
            limit = client;
        }
        if (limit == null || limit.compareTo(HORIZON) >= 0) {
            return NONE;   // a client may say 99999999H (11,000 years): as good as none, and past what nanos hold
        }
        long at = startNanos + limit.toNanos();
        return at < startNanos ? NONE : new Deadline(at);
    }

    public boolean isSet() {
        return atNanos != Long.MAX_VALUE;
    }

    /** What is left, never negative; {@link Duration#ZERO} once passed. Meaningless when not set. */
    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, atNanos - System.nanoTime()));
    }

    public boolean expired() {
        return isSet() && System.nanoTime() >= atNanos;
    }

    /** {@code d}, or what is left when that is shorter. */
    public Duration cap(Duration d) {
        if (!isSet()) {
            return d;
        }
        Duration left = remaining();
        return left.compareTo(d) < 0 ? left : d;
    }

    /** True when waiting {@code pause} would still leave time for another attempt. */
    public boolean allows(Duration pause) {
        return !isSet() || remaining().compareTo(pause) > 0;
    }

    /**
     * Parses the gRPC wire format: at most 8 digits and a unit (H, M, S, m, u, n). Null when absent or malformed;
     * a malformed header is ignored, not refused, as gRPC servers do.
     */
    static Duration grpcTimeout(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        if (v.length() < 2 || v.length() > 9) {
            return null;
        }
        long amount;
        try {
            String digits = v.substring(0, v.length() - 1);
            if (!digits.chars().allMatch(Character::isDigit)) {
                return null;
            }
            amount = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return null;
        }
        return switch (v.charAt(v.length() - 1)) {
            case 'H' -> Duration.ofHours(amount);
            case 'M' -> Duration.ofMinutes(amount);
            case 'S' -> Duration.ofSeconds(amount);
            case 'm' -> Duration.ofMillis(amount);
            case 'u' -> Duration.ofNanos(amount * 1000);
            case 'n' -> Duration.ofNanos(amount);
            default -> null;
        };
    }

    /** The remaining time as a {@code grpc-timeout} value, in milliseconds. */
    public String asGrpcTimeout() {
        return remaining().toMillis() + "m";
    }

    @Override
    public String toString() {
        return isSet() ? "deadline in " + remaining().toMillis() + " ms" : "no deadline";
    }
}
