package io.tollgate.gateway.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.tollgate.gateway.pipeline.HttpFields;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's cached answers, in one Caffeine cache bounded by the estimated bytes of keys and values (bodies
 * dominate) and expiring each value at its own instant. Maintenance, eviction included, runs on the thread that
 * writes, so the bound holds when {@link #store} returns. Base keys map to the {@code Vary} names of their
 * answers; variant keys to the answers.
 */
final class ResponseCache {
    private final Cache<CacheKey, Cached> cache;
    private final long maxBytes;
    /** The highest purge generation seen per route, to drop a purged route's entries once. */
    private final ConcurrentHashMap<UUID, Long> generations = new ConcurrentHashMap<>();

    ResponseCache(long maxBytes) {
        this.maxBytes = maxBytes;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((CacheKey key, Cached value) -> saturatedAdd(key.weight(), value.weight()))
                .expireAfter(new Expiry<CacheKey, Cached>() {
                    @Override
                    public long expireAfterCreate(CacheKey key, Cached value, long currentTime) {
                        return Math.max(0, value.expiresAtNanos() - currentTime);
                    }

                    @Override
                    public long expireAfterUpdate(CacheKey key, Cached value, long currentTime, long currentDuration) {
                        return Math.max(0, value.expiresAtNanos() - currentTime);
                    }

                    @Override
                    public long expireAfterRead(CacheKey key, Cached value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .executor(Runnable::run)
                .build();
    }

    private static int saturatedAdd(int a, int b) {
        long sum = (long) a + b;
        return (int) Math.min(Integer.MAX_VALUE, sum);
    }

    /** The answer stored for this request, fresh or not, or null. */
    Cached.Answer lookup(CacheKey.Base base, HttpFields request) {
        if (!(cache.getIfPresent(base) instanceof Cached.Variants variants)) {
            return null;
        }
        return cache.getIfPresent(CacheKey.variant(base, variants.names(), request)) instanceof Cached.Answer answer
                ? answer : null;
    }

    void store(CacheKey.Base base, List<String> varyNames, HttpFields request, Cached.Answer answer) {
        // The names stay as long as the longest-lived answer they lead to.
        cache.asMap().merge(base, new Cached.Variants(varyNames, answer.expiresAtNanos()), (old, next) ->
                old instanceof Cached.Variants o && o.names().equals(varyNames)
                        && o.expiresAtNanos() > next.expiresAtNanos() ? o : next);
        cache.put(CacheKey.variant(base, varyNames, request), answer);
    }

    /**
     * Notes the route's purge generation; when it moved on, drops the route's older entries in the background (they
     * are never served again either way, since keys carry the generation: this only frees their bytes sooner).
     */
    void generation(UUID routeId, long generation) {
        Long before = generations.get(routeId);
        if (before != null && before >= generation) {
            return;
        }
        // merge would return the new value, never the one it replaced: compute notes whether this call moved it on
        boolean[] movedOn = {false};
        generations.compute(routeId, (id, previous) -> {
            if (previous == null || previous < generation) {
                movedOn[0] = previous != null;
                return generation;
            }
            return previous;
        });
        if (movedOn[0]) {
            Thread.ofVirtual().name("tollgate-cache-purge").start(() -> cache.asMap().keySet()
                    .removeIf(k -> k.base().routeId().equals(routeId) && k.base().generation() < generation));
        }
    }

    long bytes() {
        return cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
    }

    long maxBytes() {
        return maxBytes;
    }

    long entries() {
        return cache.estimatedSize();
    }
}
