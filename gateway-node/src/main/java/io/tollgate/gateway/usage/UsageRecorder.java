package io.tollgate.gateway.usage;

import java.time.Clock;
import java.util.UUID;

/**
 * What the record filter hands over when an exchange of a matched route completes: a count in the per-minute
 * rollup and, for a request the gateway refused with 401/403/429, a count in the denied-request aggregate. A
 * request is counted in the minute it started ({@link #minuteNow()}, taken when it arrives), so what a client has
 * seen answered is always in the minute it expects. Only in-memory work; {@link UsageFlusher} writes it out.
 */
public final class UsageRecorder {
    private static final long MINUTE_MILLIS = 60_000;

    private final Clock clock;
    final UsageRollups rollups = new UsageRollups();
    final DeniedRequests denied = new DeniedRequests();

    public UsageRecorder(Clock clock) {
        this.clock = clock;
    }

    /** The start of the current minute, in epoch milliseconds. */
    public long minuteNow() {
        return minuteOf(clock.millis());
    }

    /**
     * @param minute           the request's {@link #minuteNow()} when it arrived
     * @param keyPublicId      the public id of the tenant's key the request named, or null
     * @param refusedByGateway true when the status is the gateway's own refusal, not the upstream's answer
     */
    public void completed(long minute, UUID tenantId, UUID routeId, String keyPublicId, int status,
                          boolean refusedByGateway, long totalNanos) {
        rollups.record(tenantId, routeId, minute, status, totalNanos);
        if (refusedByGateway && (status == 401 || status == 403 || status == 429)) {
            denied.record(new DeniedRequests.Aggregate(tenantId, routeId, keyPublicId, status, minute));
        }
    }

    static long minuteOf(long millis) {
        return Math.floorDiv(millis, MINUTE_MILLIS) * MINUTE_MILLIS;
    }
}
