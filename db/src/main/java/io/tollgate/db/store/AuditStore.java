package io.tollgate.db.store;

import io.tollgate.db.jooq.tables.records.AuditEventsRecord;
import io.tollgate.db.model.AuditEvent;
import io.tollgate.db.Database;
import org.jooq.Condition;
import org.jooq.Cursor;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.UUID;

import static io.tollgate.db.jooq.Tables.AUDIT_EVENTS;

/** Appends to and reads the audit trail. Appends are chained under a lock held to commit. */
public final class AuditStore {
    private static final long AUDIT_APPEND_LOCK = 0x746f6c6c_61756469L;
    /** The action of the event a retention run appends; its after-state holds {@code hash_at_cut}. */
    public static final String CHECKPOINT_ACTION = "audit.checkpoint";

    private final DSLContext dsl;

    public AuditStore(DSLContext dsl) {
        this.dsl = dsl;
    }

    /**
     * Appends one event in the caller's transaction. The advisory lock is held until that transaction ends, so
     * concurrent writers chain one after another and ids follow chain order.
     */
    public AuditEvent append(AuditEvent e) {
        dsl.select(DSL.function("pg_advisory_xact_lock", Object.class, DSL.val(AUDIT_APPEND_LOCK))).fetch();
        String prev = dsl.select(AUDIT_EVENTS.HASH).from(AUDIT_EVENTS).orderBy(AUDIT_EVENTS.ID.desc()).limit(1)
                .fetchOptional(AUDIT_EVENTS.HASH).orElse(AuditChain.GENESIS);
        // Stamped under the lock, so time order is chain order and a time range is a contiguous run of the
        // chain. PostgreSQL keeps microseconds; hash exactly what is stored.
        OffsetDateTime at = OffsetDateTime.now(java.time.ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
        AuditEvent stamped = new AuditEvent(null, at, e.actorType(), e.actorId(), e.actorName(), e.tenantId(),
                e.action(), e.targetType(), e.targetId(), e.before(), e.after(), e.clientIp(), e.requestId(), prev,
                null);
        String hash = AuditChain.hash(prev, stamped);
        Long id = dsl.insertInto(AUDIT_EVENTS)
                .set(AUDIT_EVENTS.OCCURRED_AT, at)
                .set(AUDIT_EVENTS.ACTOR_TYPE, e.actorType())
                .set(AUDIT_EVENTS.ACTOR_ID, e.actorId())
                .set(AUDIT_EVENTS.ACTOR_NAME, e.actorName())
                .set(AUDIT_EVENTS.TENANT_ID, e.tenantId())
                .set(AUDIT_EVENTS.ACTION, e.action())
                .set(AUDIT_EVENTS.TARGET_TYPE, e.targetType())
                .set(AUDIT_EVENTS.TARGET_ID, e.targetId())
                .set(AUDIT_EVENTS.BEFORE_STATE, JsonColumns.of(e.before()))
                .set(AUDIT_EVENTS.AFTER_STATE, JsonColumns.of(e.after()))
                .set(AUDIT_EVENTS.CLIENT_IP, e.clientIp())
                .set(AUDIT_EVENTS.REQUEST_ID, e.requestId())
                .set(AUDIT_EVENTS.PREV_HASH, prev)
                .set(AUDIT_EVENTS.HASH, hash)
                .returning(AUDIT_EVENTS.ID)
                .fetchOne(AUDIT_EVENTS.ID);
        return new AuditEvent(id, at, e.actorType(), e.actorId(), e.actorName(), e.tenantId(), e.action(),
                e.targetType(), e.targetId(), e.before(), e.after(), e.clientIp(), e.requestId(), prev, hash);
    }

    /**
     * Appends several events in the caller's transaction under one lock, chained in list order, with one
     * multi-row insert: for writers that batch (the gateway's per-minute security events, benchmark seeding).
     */
    public int appendAll(List<AuditEvent> events) {
        if (events.isEmpty()) {
            return 0;
        }
        dsl.select(DSL.function("pg_advisory_xact_lock", Object.class, DSL.val(AUDIT_APPEND_LOCK))).fetch();
        String prev = dsl.select(AUDIT_EVENTS.HASH).from(AUDIT_EVENTS).orderBy(AUDIT_EVENTS.ID.desc()).limit(1)
                .fetchOptional(AUDIT_EVENTS.HASH).orElse(AuditChain.GENESIS);
        OffsetDateTime at = OffsetDateTime.now(java.time.ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
        var insert = dsl.insertInto(AUDIT_EVENTS, AUDIT_EVENTS.OCCURRED_AT, AUDIT_EVENTS.ACTOR_TYPE,
                AUDIT_EVENTS.ACTOR_ID, AUDIT_EVENTS.ACTOR_NAME, AUDIT_EVENTS.TENANT_ID, AUDIT_EVENTS.ACTION,
                AUDIT_EVENTS.TARGET_TYPE, AUDIT_EVENTS.TARGET_ID, AUDIT_EVENTS.BEFORE_STATE, AUDIT_EVENTS.AFTER_STATE,
                AUDIT_EVENTS.CLIENT_IP, AUDIT_EVENTS.REQUEST_ID, AUDIT_EVENTS.PREV_HASH, AUDIT_EVENTS.HASH);
        for (AuditEvent e : events) {
            AuditEvent stamped = new AuditEvent(null, at, e.actorType(), e.actorId(), e.actorName(), e.tenantId(),
                    e.action(), e.targetType(), e.targetId(), e.before(), e.after(), e.clientIp(), e.requestId(), prev,
                    null);
            String hash = AuditChain.hash(prev, stamped);
            insert = insert.values(at, e.actorType(), e.actorId(), e.actorName(), e.tenantId(), e.action(),
                    e.targetType(), e.targetId(), JsonColumns.of(e.before()), JsonColumns.of(e.after()), e.clientIp(),
                    e.requestId(), prev, hash);
            prev = hash;
        }
        return insert.execute();
    }

    /** A filtered page, oldest first. A non-null {@code filter.tenantId()} limits the result to that tenant. */
    public List<AuditEvent> page(Filter filter, Long afterId, int limit) {
        Condition where = where(filter);
        if (afterId != null) {
            where = where.and(AUDIT_EVENTS.ID.gt(afterId));
        }
        return dsl.selectFrom(AUDIT_EVENTS).where(where).orderBy(AUDIT_EVENTS.ID).limit(limit).fetch(AuditStore::map);
    }

    /** A filtered page, newest first: events older than {@code beforeId} (the newest when null). */
    public List<AuditEvent> pageNewestFirst(Filter filter, Long beforeId, int limit) {
        Condition where = where(filter);
        if (beforeId != null) {
            where = where.and(AUDIT_EVENTS.ID.lt(beforeId));
        }
        return dsl.selectFrom(AUDIT_EVENTS).where(where).orderBy(AUDIT_EVENTS.ID.desc()).limit(limit)
                .fetch(AuditStore::map);
    }

    /** One event when it matches the filter (so a tenant-scoped filter hides other tenants' events). */
    public Optional<AuditEvent> byId(Filter filter, long id) {
        return dsl.selectFrom(AUDIT_EVENTS).where(where(filter).and(AUDIT_EVENTS.ID.eq(id)))
                .fetchOptional(AuditStore::map);
    }

    /**
     * Hands every matching event, oldest first, to {@code sink} through a server-side cursor, so memory stays
     * constant however many rows match. Runs in its own read-only transaction (a PostgreSQL cursor needs one).
     */
    public static long stream(Database db, Filter filter, Consumer<AuditEvent> sink) {
        return db.transaction(cfg -> {
            DSLContext tx = DSL.using(cfg);
            tx.execute("set transaction read only");
            long n = 0;
            try (Cursor<AuditEventsRecord> cursor = tx.selectFrom(AUDIT_EVENTS).where(where(filter))
                    .orderBy(AUDIT_EVENTS.ID).fetchSize(2000).fetchLazy()) {
                for (AuditEventsRecord r : cursor) {
                    sink.accept(map(r));
                    n++;
                }
            }
            return n;
        });
    }

    /** The id of the first event matching {@code filter}, if any. */
    public Optional<Long> firstId(Filter filter) {
        return dsl.select(DSL.min(AUDIT_EVENTS.ID)).from(AUDIT_EVENTS).where(where(filter))
                .fetchOptional(0, Long.class);
    }

    /** The hash of the last event before {@code id}, or empty when there is none. */
    public Optional<String> hashBefore(long id) {
        return dsl.select(AUDIT_EVENTS.HASH).from(AUDIT_EVENTS).where(AUDIT_EVENTS.ID.lt(id))
                .orderBy(AUDIT_EVENTS.ID.desc()).limit(1).fetchOptional(AUDIT_EVENTS.HASH);
    }

    /** The newest retention checkpoint, if any: where the remaining chain starts. */
    public Optional<AuditEvent> latestCheckpoint() {
        return dsl.selectFrom(AUDIT_EVENTS).where(AUDIT_EVENTS.ACTION.eq(CHECKPOINT_ACTION))
                .orderBy(AUDIT_EVENTS.ID.desc()).limit(1).fetchOptional(AuditStore::map);
    }

    /** The first event still stored. */
    public Optional<AuditEvent> first() {
        return dsl.selectFrom(AUDIT_EVENTS).orderBy(AUDIT_EVENTS.ID).limit(1).fetchOptional(AuditStore::map);
    }

    /**
     * Deletes events older than {@code cutoff} and appends a checkpoint event recording the hash at the cut, in
     * the caller's transaction. Returns the checkpoint, or empty when nothing was old enough.
     */
    public Optional<AuditEvent> prune(OffsetDateTime cutoff) {
        dsl.select(DSL.function("pg_advisory_xact_lock", Object.class, DSL.val(AUDIT_APPEND_LOCK))).fetch();
        var last = dsl.select(AUDIT_EVENTS.ID, AUDIT_EVENTS.HASH).from(AUDIT_EVENTS)
                .where(AUDIT_EVENTS.OCCURRED_AT.lt(cutoff)).orderBy(AUDIT_EVENTS.ID.desc()).limit(1).fetchOptional();
        if (last.isEmpty()) {
            return Optional.empty();
        }
        long throughId = last.get().value1();
        String hashAtCut = last.get().value2();
        dsl.execute("set local tollgate.audit_prune = 'on'");
        int deleted = dsl.deleteFrom(AUDIT_EVENTS).where(AUDIT_EVENTS.ID.le(throughId)).execute();
        dsl.execute("set local tollgate.audit_prune = 'off'");
        var after = io.tollgate.common.json.Json.mapper().createObjectNode()
                .put("pruned_through_id", throughId)
                .put("hash_at_cut", hashAtCut)
                .put("cutoff", cutoff.toInstant().toString())
                .put("pruned_events", deleted);
        return Optional.of(append(new AuditEvent(null, null, "system", null, "retention", null, CHECKPOINT_ACTION,
                "audit-trail", Long.toString(throughId), null, after, null, null, null, null)));
    }

    private static Condition where(Filter filter) {
        Condition where = DSL.noCondition();
        if (filter.tenantId() != null) {
            where = where.and(AUDIT_EVENTS.TENANT_ID.eq(filter.tenantId()));
        }
        if (filter.from() != null) {
            where = where.and(AUDIT_EVENTS.OCCURRED_AT.ge(filter.from()));
        }
        if (filter.to() != null) {
            where = where.and(AUDIT_EVENTS.OCCURRED_AT.lt(filter.to()));
        }
        if (filter.actor() != null) {
            where = where.and(AUDIT_EVENTS.ACTOR_ID.eq(filter.actor()).or(AUDIT_EVENTS.ACTOR_NAME.eq(filter.actor())));
        }
        if (filter.action() != null) {
            where = where.and(AUDIT_EVENTS.ACTION.eq(filter.action()));
        }
        if (filter.targetId() != null) {
            where = where.and(AUDIT_EVENTS.TARGET_ID.eq(filter.targetId()));
        }
        return where;
    }

    public record Filter(UUID tenantId, OffsetDateTime from, OffsetDateTime to, String actor, String action,
                         String targetId) {
    }

    public static AuditEvent map(AuditEventsRecord r) {
        return new AuditEvent(r.getId(), r.getOccurredAt(), r.getActorType(), r.getActorId(), r.getActorName(),
                r.getTenantId(), r.getAction(), r.getTargetType(), r.getTargetId(),
                JsonColumns.tree(r.getBeforeState()), JsonColumns.tree(r.getAfterState()), r.getClientIp(),
                r.getRequestId(), r.getPrevHash(), r.getHash());
    }
}
