package io.tollgate.gateway.cache;

import java.util.List;

/**
 * A value in the cache: an answer, or the list of {@code Vary} header names an upstream gave for a base key. Both
 * carry the instant ({@link System#nanoTime()}) they leave the cache.
 */
sealed interface Cached permits Cached.Answer, Cached.Variants {
    long expiresAtNanos();

    /** Heap taken by the value, roughly, for the byte bound. */
    int weight();

    /** The lower-case, sorted names of the request headers the upstream's answers vary by. */
    record Variants(List<String> names, long expiresAtNanos) implements Cached {
        @Override
        public int weight() {
            int sum = 48;
            for (String n : names) {
                sum += 16 + n.length();
            }
            return sum;
        }
    }

    /**
     * A stored answer. {@code headers} are name/value pairs as the upstream sent them (less hop-by-hop, hidden and
     * internal headers, {@code Age} and {@code X-Cache}); {@code body} is null for a HEAD answer or a bodiless
     * status. Fresh until {@code freshUntilNanos}; may stand in for a failed upstream until {@code expiresAtNanos}
     * unless {@code mustRevalidate}.
     */
    record Answer(int status, List<String> headers, byte[] body, long storedAtNanos, long initialAgeSeconds,
                  long freshUntilNanos, long expiresAtNanos, boolean mustRevalidate) implements Cached {
        boolean freshAt(long nanos) {
            return nanos < freshUntilNanos;
        }

        boolean usableStaleAt(long nanos) {
            return !mustRevalidate && nanos < expiresAtNanos;
        }

        long ageSeconds(long nanos) {
            return initialAgeSeconds + Math.max(0, nanos - storedAtNanos) / 1_000_000_000L;
        }

        @Override
        public int weight() {
            long sum = 128L + (body == null ? 0 : body.length);
            for (String h : headers) {
                sum += 40 + h.length();
            }
            return (int) Math.min(Integer.MAX_VALUE, sum);
        }
    }
}
