package io.tollgate.admin.tokens;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing: after {@value #MAX_FAILURES} failed sign-ins for one email from one address within
 * the window, further attempts are refused until the oldest failure leaves the window. Per admin process.
 */
final class SignInThrottle {
    static final int MAX_FAILURES = 5;
    private static final Duration WINDOW = Duration.ofMinutes(5);

    private final Clock clock;
    private final ConcurrentHashMap<String, Deque<Instant>> failures = new ConcurrentHashMap<>();

    SignInThrottle(Clock clock) {
        this.clock = clock;
    }

    /** Seconds to wait before the next attempt, or 0 when one may be made now. */
    long retryAfterSeconds(String email, String ip) {
        Deque<Instant> recent = failures.get(key(email, ip));
        if (recent == null) {
            return 0;
        }
        synchronized (recent) {
            prune(recent);
            if (recent.size() < MAX_FAILURES) {
                return 0;
            }
            return Math.max(1, Duration.between(clock.instant(), recent.peekFirst().plus(WINDOW)).toSeconds());
        }
    }

    void failed(String email, String ip) {
        Deque<Instant> recent = failures.computeIfAbsent(key(email, ip), k -> new ArrayDeque<>());
        synchronized (recent) {
            prune(recent);
            recent.addLast(clock.instant());
        }
    }

    void succeeded(String email, String ip) {
        failures.remove(key(email, ip));
    }

    private void prune(Deque<Instant> recent) {
        Instant cutoff = clock.instant().minus(WINDOW);
        while (!recent.isEmpty() && recent.peekFirst().isBefore(cutoff)) {
            recent.removeFirst();
        }
    }

    private static String key(String email, String ip) {
        return email.toLowerCase() + "|" + ip;
    }
}
