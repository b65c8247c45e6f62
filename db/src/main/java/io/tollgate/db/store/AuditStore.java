package io.tollgate.db.store;

import io.tollgate.db.jooq.tables.records.AuditEventsRecord;
import io.tollgate.db.model.AuditEvent;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import static io.tollgate.db.jooq.Tables.AUDIT_EVENTS;

/** Appends to and reads the audit trail. Appends are chained under a lock held to commit. */
public final class AuditStore {
    private static final long AUDIT_APPEND_LOCK = 0x746f6c6c_61756469L;

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
        // PostgreSQL keeps microseconds; hash exactly what is stored.
        OffsetDateTime at = (e.occurredAt() == null ? OffsetDateTime.now() : e.occurredAt())
                .truncatedTo(ChronoUnit.MICROS);
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

    /** A filtered page, newest last. {@code tenantScope} non-null limits the result to that tenant. */
    public List<AuditEvent> page(Filter filter, Long afterId, int limit) {
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
        if (afterId != null) {
            where = where.and(AUDIT_EVENTS.ID.gt(afterId));
        }
        return dsl.selectFrom(AUDIT_EVENTS).where(where).orderBy(AUDIT_EVENTS.ID).limit(limit).fetch(AuditStore::map);
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
