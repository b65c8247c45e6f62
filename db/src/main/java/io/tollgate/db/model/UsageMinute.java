package io.tollgate.db.model;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * One minute of one route's traffic as a gateway node rolls it up. {@code latencyBuckets} holds request counts
 * per latency bucket, in the order of the bucket bounds the gateway documents.
 */
public record UsageMinute(UUID tenantId, UUID routeId, OffsetDateTime minute, long requests, long errors4xx,
                          long errors5xx, List<Long> latencyBuckets) {
    /**
     * Upper bounds, in milliseconds, of the latency buckets: bucket i counts requests that took at most
     * {@code LATENCY_BOUNDS_MS.get(i)} (and more than the bound before it); one last bucket counts the slower
     * rest. Writers (gateway nodes) and readers (dashboards) share these bounds.
     */
    public static final List<Integer> LATENCY_BOUNDS_MS = List.of(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000,
            10000);

    public UsageMinute {
        latencyBuckets = List.copyOf(latencyBuckets);
    }
}
