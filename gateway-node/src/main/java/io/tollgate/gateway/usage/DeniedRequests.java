package io.tollgate.gateway.usage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests the gateway refused with 401, 403 or 429, counted per tenant, key public id (null when no key of the
 * tenant was named), route, status and minute. The dimensions come from the config (never from what a client
 * sent), so the number of aggregates is bounded however hard a client tries.
 */
final class DeniedRequests {
    record Aggregate(UUID tenantId, UUID routeId, String keyPublicId, int status, long minuteMillis) {
    }

    record Count(Aggregate aggregate, long count) {
    }

    private final ConcurrentHashMap<Aggregate, Long> counts = new ConcurrentHashMap<>();

    void record(Aggregate aggregate) {
        counts.merge(aggregate, 1L, Long::sum);
    }

    /** Takes out the aggregates of minutes before {@code minuteMillis} (all of them when Long.MAX_VALUE). */
    List<Count> drainBefore(long minuteMillis) {
        List<Count> out = new ArrayList<>();
        for (Aggregate a : counts.keySet()) {
            if (a.minuteMillis() < minuteMillis) {
                Long n = counts.remove(a);
                if (n != null) {
                    out.add(new Count(a, n));
                }
            }
        }
        out.sort(Comparator.comparingLong((Count c) -> c.aggregate().minuteMillis())
                .thenComparing(c -> c.aggregate().tenantId())
                .thenComparing(c -> c.aggregate().routeId())
                .thenComparingInt(c -> c.aggregate().status())
                .thenComparing(c -> c.aggregate().keyPublicId() == null ? "" : c.aggregate().keyPublicId()));
        return out;
    }

    void restore(List<Count> batch) {
        batch.forEach(c -> counts.merge(c.aggregate(), c.count(), Long::sum));
    }
}
