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

    public UsageMinute {
        latencyBuckets = List.copyOf(latencyBuckets);
    }
}
