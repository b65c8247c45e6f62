package io.tollgate.gateway.limit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.tollgate.gateway.snapshot.RateSpec;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In-memory Bucket4j buckets, one per limited thing (tenant, route, key). A bucket is rebuilt, full, when its
 * spec or the node share changes; otherwise it lives across snapshots so a config change does not reset limits.
 */
final class LocalBuckets {
    enum Scope { TENANT, ROUTE, KEY }

    /** A bucket with the spec it was built for; {@code capacity} is this node's share of the burst. */
    record Sized(RateSpec spec, int nodes, long capacity, Bucket bucket) {
    }

    /** One table per scope, by id (no key object made per lookup), in {@link Scope} order. */
    private final List<ConcurrentHashMap<UUID, Sized>> buckets = List.of(new ConcurrentHashMap<>(),
            new ConcurrentHashMap<>(), new ConcurrentHashMap<>());

    Sized bucket(Scope scope, UUID id, RateSpec spec, int nodes) {
        ConcurrentHashMap<UUID, Sized> table = buckets.get(scope.ordinal());
        Sized current = table.get(id);
        if (current != null && current.spec().equals(spec) && current.nodes() == nodes) {
            return current;
        }
        return table.compute(id, (key, existing) ->
                existing != null && existing.spec().equals(spec) && existing.nodes() == nodes
                        ? existing : create(spec, nodes));
    }

    private static Sized create(RateSpec spec, int nodes) {
        long capacity = Math.max(1, spec.burst() / nodes);
        // rate / nodes per second, expressed exactly as `rate` tokens every `nodes` seconds.
        Bandwidth bandwidth = Bandwidth.builder()
                .capacity(capacity)
                .refillGreedy(spec.perSecond(), Duration.ofSeconds(nodes))
                .build();
        return new Sized(spec, nodes, capacity, Bucket.builder().addLimit(bandwidth).build());
    }
}
