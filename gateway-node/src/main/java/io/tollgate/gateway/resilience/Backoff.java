package io.tollgate.gateway.resilience;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter between attempts: retry {@code n} (1-based) waits a random time between half and
 * all of {@code base * 2^(n-1)}, capped. The random half keeps clients that failed together from retrying in step.
 */
public final class Backoff {
    public static final Duration BASE = Duration.ofMillis(25);
    public static final Duration CAP = Duration.ofSeconds(1);

    private Backoff() {
    }

    public static Duration before(int retry) {
        long ceiling = Math.min(CAP.toNanos(), BASE.toNanos() << Math.min(retry - 1, 20));
        long half = ceiling / 2;
        return Duration.ofNanos(half + ThreadLocalRandom.current().nextLong(half + 1));
    }
}
