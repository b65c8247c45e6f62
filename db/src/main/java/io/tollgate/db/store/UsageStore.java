package io.tollgate.db.store;

import com.fasterxml.jackson.core.type.TypeReference;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.impl.DSL;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.tollgate.db.jooq.Tables.QUOTA_USAGE;
import static io.tollgate.db.jooq.Tables.USAGE_ROLLUPS;

/**
 * Usage written by gateway nodes: per-minute rollups per tenant and route ({@code usage_rollups}) and admitted
 * requests per UTC day per tenant and API key ({@code quota_usage}). Writers add to what is stored, so several
 * nodes (and several flushes of one node) may write the same row. Rows are written in key order, so two nodes
 * flushing overlapping batches at once lock them in the same order and never deadlock.
 */
public final class UsageStore {
    public static final String SUBJECT_TENANT = "tenant";
    public static final String SUBJECT_KEY = "key";
    private static final TypeReference<List<Long>> LONGS = new TypeReference<>() { };

    /** One minute of one route: counts to add, {@code latencyBuckets} per the gateway's fixed bounds. */
    public record Rollup(UUID tenantId, UUID routeId, OffsetDateTime minute, long requests, long errors4xx,
                         long errors5xx, List<Long> latencyBuckets) {
        public Rollup {
            latencyBuckets = List.copyOf(latencyBuckets);
        }
    }

    /** Requests admitted for one tenant or key on one UTC day. */
    public record QuotaCount(UUID subjectId, String subject, UUID tenantId, LocalDate day, long requests) {
    }

    /** A subject's admitted requests today and this calendar month (UTC). */
    public record Totals(long today, long month) {
    }

    private final DSLContext dsl;

    public UsageStore(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** Adds the rollups to what is stored, in one statement. */
    public int addRollups(Collection<Rollup> rollups) {
        if (rollups.isEmpty()) {
            return 0;
        }
        var insert = dsl.insertInto(USAGE_ROLLUPS, USAGE_ROLLUPS.TENANT_ID, USAGE_ROLLUPS.ROUTE_ID,
                USAGE_ROLLUPS.MINUTE, USAGE_ROLLUPS.REQUESTS, USAGE_ROLLUPS.ERRORS_4XX, USAGE_ROLLUPS.ERRORS_5XX,
                USAGE_ROLLUPS.LATENCY_BUCKETS);
        List<Rollup> ordered = rollups.stream()
                .sorted(Comparator.comparing(Rollup::tenantId).thenComparing(Rollup::routeId)
                        .thenComparing(Rollup::minute))
                .toList();
        for (Rollup r : ordered) {
            insert = insert.values(r.tenantId(), r.routeId(), r.minute(), r.requests(), r.errors4xx(), r.errors5xx(),
                    JsonColumns.of(r.latencyBuckets()));
        }
        return insert.onConflict(USAGE_ROLLUPS.TENANT_ID, USAGE_ROLLUPS.ROUTE_ID, USAGE_ROLLUPS.MINUTE)
                .doUpdate()
                .set(USAGE_ROLLUPS.REQUESTS, USAGE_ROLLUPS.REQUESTS.plus(DSL.excluded(USAGE_ROLLUPS.REQUESTS)))
                .set(USAGE_ROLLUPS.ERRORS_4XX, USAGE_ROLLUPS.ERRORS_4XX.plus(DSL.excluded(USAGE_ROLLUPS.ERRORS_4XX)))
                .set(USAGE_ROLLUPS.ERRORS_5XX, USAGE_ROLLUPS.ERRORS_5XX.plus(DSL.excluded(USAGE_ROLLUPS.ERRORS_5XX)))
                // tollgate_add_counts (migration V15) adds the histograms element by element
                .set(USAGE_ROLLUPS.LATENCY_BUCKETS, DSL.function("tollgate_add_counts", JSONB.class,
                        USAGE_ROLLUPS.LATENCY_BUCKETS, DSL.excluded(USAGE_ROLLUPS.LATENCY_BUCKETS)))
                .execute();
    }

    /** Adds admitted-request counts to what is stored, in one statement. */
    public int addQuotaCounts(Collection<QuotaCount> counts) {
        if (counts.isEmpty()) {
            return 0;
        }
        var insert = dsl.insertInto(QUOTA_USAGE, QUOTA_USAGE.SUBJECT_ID, QUOTA_USAGE.SUBJECT, QUOTA_USAGE.TENANT_ID,
                QUOTA_USAGE.DAY, QUOTA_USAGE.REQUESTS);
        List<QuotaCount> ordered = counts.stream()
                .sorted(Comparator.comparing(QuotaCount::subjectId).thenComparing(QuotaCount::day))
                .toList();
        for (QuotaCount c : ordered) {
            insert = insert.values(c.subjectId(), c.subject(), c.tenantId(), c.day(), c.requests());
        }
        return insert.onConflict(QUOTA_USAGE.SUBJECT_ID, QUOTA_USAGE.DAY)
                .doUpdate()
                .set(QUOTA_USAGE.REQUESTS, QUOTA_USAGE.REQUESTS.plus(DSL.excluded(QUOTA_USAGE.REQUESTS)))
                .execute();
    }

    /**
     * Admitted requests of each subject today and since {@code monthStart}; subjects without any are absent.
     * One index range per subject: at most 31 rows each.
     */
    public Map<UUID, Totals> quotaTotals(Collection<UUID> subjectIds, LocalDate monthStart, LocalDate today) {
        Map<UUID, Totals> totals = new HashMap<>();
        if (subjectIds.isEmpty()) {
            return totals;
        }
        var todayOnly = DSL.sum(QUOTA_USAGE.REQUESTS).filterWhere(QUOTA_USAGE.DAY.eq(today));
        var month = DSL.sum(QUOTA_USAGE.REQUESTS);
        dsl.select(QUOTA_USAGE.SUBJECT_ID, todayOnly, month)
                .from(QUOTA_USAGE)
                .where(QUOTA_USAGE.SUBJECT_ID.eq(DSL.any(subjectIds.toArray(UUID[]::new))))
                .and(QUOTA_USAGE.DAY.ge(monthStart))
                .groupBy(QUOTA_USAGE.SUBJECT_ID)
                .forEach(r -> totals.put(r.value1(), new Totals(
                        r.value2() == null ? 0 : r.value2().longValue(),
                        r.value3() == null ? 0 : r.value3().longValue())));
        return totals;
    }

    /** A tenant's rollups from {@code from} (inclusive) to {@code to} (exclusive), oldest first. */
    public List<Rollup> rollups(UUID tenantId, OffsetDateTime from, OffsetDateTime to) {
        return dsl.selectFrom(USAGE_ROLLUPS)
                .where(USAGE_ROLLUPS.TENANT_ID.eq(tenantId))
                .and(USAGE_ROLLUPS.MINUTE.ge(from))
                .and(USAGE_ROLLUPS.MINUTE.lt(to))
                .orderBy(USAGE_ROLLUPS.MINUTE, USAGE_ROLLUPS.ROUTE_ID)
                .fetch(r -> new Rollup(r.getTenantId(), r.getRouteId(), r.getMinute(), r.getRequests(),
                        r.getErrors_4xx(), r.getErrors_5xx(), JsonColumns.read(r.getLatencyBuckets(), LONGS)));
    }

    /** Admitted requests of one subject per day from {@code from} (inclusive), oldest first. */
    public List<QuotaCount> quotaCounts(UUID subjectId, LocalDate from) {
        return dsl.selectFrom(QUOTA_USAGE)
                .where(QUOTA_USAGE.SUBJECT_ID.eq(subjectId))
                .and(QUOTA_USAGE.DAY.ge(from))
                .orderBy(QUOTA_USAGE.DAY)
                .fetch(r -> new QuotaCount(r.getSubjectId(), r.getSubject(), r.getTenantId(), r.getDay(),
                        r.getRequests()));
    }
}
