package io.tollgate.db.store;

import com.fasterxml.jackson.core.type.TypeReference;
import io.tollgate.db.model.UsageMinute;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.tollgate.db.jooq.Tables.USAGE_ROLLUPS;

/**
 * Reads usage rollups for dashboards (one tenant, one time range), and adds a minute of counts the way a gateway
 * flush does: counts add up when the same tenant, route and minute arrive again.
 */
public final class UsageReportStore {
    private static final TypeReference<List<Long>> LONGS = new TypeReference<>() { };

    private final DSLContext dsl;

    public UsageReportStore(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** Every rollup row of the tenant with {@code from <= minute < to}, oldest first. */
    public List<UsageMinute> minutes(UUID tenantId, OffsetDateTime from, OffsetDateTime to) {
        return dsl.selectFrom(USAGE_ROLLUPS)
                .where(USAGE_ROLLUPS.TENANT_ID.eq(tenantId)
                        .and(USAGE_ROLLUPS.MINUTE.ge(from))
                        .and(USAGE_ROLLUPS.MINUTE.lt(to)))
                .orderBy(USAGE_ROLLUPS.MINUTE, USAGE_ROLLUPS.ROUTE_ID)
                .fetch(r -> new UsageMinute(r.getTenantId(), r.getRouteId(), r.getMinute(), r.getRequests(),
                        r.getErrors_4xx(), r.getErrors_5xx(), JsonColumns.read(r.getLatencyBuckets(), LONGS)));
    }

    /** Requests of the tenant since {@code from}: what counts against its quota period. */
    public long requestsSince(UUID tenantId, OffsetDateTime from) {
        var sum = dsl.select(DSL.sum(USAGE_ROLLUPS.REQUESTS)).from(USAGE_ROLLUPS)
                .where(USAGE_ROLLUPS.TENANT_ID.eq(tenantId).and(USAGE_ROLLUPS.MINUTE.ge(from)))
                .fetchOne(0, Long.class);
        return sum == null ? 0 : sum;
    }

    /** Adds one minute of counts; latency buckets add element by element. */
    public void add(UsageMinute m) {
        var existing = dsl.selectFrom(USAGE_ROLLUPS)
                .where(USAGE_ROLLUPS.TENANT_ID.eq(m.tenantId()).and(USAGE_ROLLUPS.ROUTE_ID.eq(m.routeId()))
                        .and(USAGE_ROLLUPS.MINUTE.eq(m.minute())))
                .forUpdate().fetchOptional();
        if (existing.isEmpty()) {
            dsl.insertInto(USAGE_ROLLUPS)
                    .set(USAGE_ROLLUPS.TENANT_ID, m.tenantId())
                    .set(USAGE_ROLLUPS.ROUTE_ID, m.routeId())
                    .set(USAGE_ROLLUPS.MINUTE, m.minute())
                    .set(USAGE_ROLLUPS.REQUESTS, m.requests())
                    .set(USAGE_ROLLUPS.ERRORS_4XX, m.errors4xx())
                    .set(USAGE_ROLLUPS.ERRORS_5XX, m.errors5xx())
                    .set(USAGE_ROLLUPS.LATENCY_BUCKETS, JsonColumns.of(m.latencyBuckets()))
                    .execute();
            return;
        }
        var row = existing.get();
        List<Long> stored = JsonColumns.read(row.getLatencyBuckets(), LONGS);
        List<Long> merged = new ArrayList<>();
        for (int i = 0; i < Math.max(stored.size(), m.latencyBuckets().size()); i++) {
            merged.add((i < stored.size() ? stored.get(i) : 0L)
                    + (i < m.latencyBuckets().size() ? m.latencyBuckets().get(i) : 0L));
        }
        dsl.update(USAGE_ROLLUPS)
                .set(USAGE_ROLLUPS.REQUESTS, row.getRequests() + m.requests())
                .set(USAGE_ROLLUPS.ERRORS_4XX, row.getErrors_4xx() + m.errors4xx())
                .set(USAGE_ROLLUPS.ERRORS_5XX, row.getErrors_5xx() + m.errors5xx())
                .set(USAGE_ROLLUPS.LATENCY_BUCKETS, JsonColumns.of(merged))
                .where(USAGE_ROLLUPS.TENANT_ID.eq(m.tenantId()).and(USAGE_ROLLUPS.ROUTE_ID.eq(m.routeId()))
                        .and(USAGE_ROLLUPS.MINUTE.eq(m.minute())))
                .execute();
    }
}
