package io.tollgate.admin.change;

import io.tollgate.db.Database;
import io.tollgate.db.model.AuditEvent;
import io.tollgate.db.store.AuditStore;
import io.tollgate.db.store.ConfigStateStore;
import io.tollgate.db.store.IdempotencyStore;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.function.Function;

/**
 * Runs every admin write as one transaction: the change, its one audit event, the config version bump with
 * NOTIFY, and (for a POST with Idempotency-Key) the stored first response. Either all of it commits or none.
 */
public final class ChangeWriter {
    private final Database db;

    public ChangeWriter(Database db) {
        this.db = db;
    }

    /** The stored-response side of an Idempotency-Key, filled in from the change's result. */
    public record Replay(String principal, String key, String method, String path, String requestHash) {
    }

    public <T> T write(Caller caller, Function<DSLContext, Change<T>> work) {
        return write(caller, work, null, null);
    }

    public <T> T write(Caller caller, Function<DSLContext, Change<T>> work, Replay replay,
                       Function<T, IdempotencyStore.Stored> stored) {
        return db.transaction(cfg -> {
            DSLContext tx = DSL.using(cfg);
            Change<T> change = work.apply(tx);
            new AuditStore(tx).append(event(caller, change));
            new ConfigStateStore(tx).bump();
            if (replay != null) {
                new IdempotencyStore(tx).insert(replay.principal(), replay.key(), stored.apply(change.result()));
            }
            return change.result();
        });
    }

    /**
     * What a multi-object write did: its result, the change of each object it touched (in the order they
     * happened) and one summary change that describes the write as a whole.
     */
    public record Batch<T>(T result, List<Change<?>> changes, Change<?> summary) {
        public Batch {
            changes = List.copyOf(changes);
        }
    }

    /**
     * Runs a write of many objects (a declarative apply) as one transaction: one audit event per changed object,
     * then the summary event, then ONE config version bump, so gateway nodes load the whole change at once and
     * never see half of it. A batch that changed nothing writes nothing: no audit event, no version bump.
     */
    public <T> T writeAll(Caller caller, Function<DSLContext, Batch<T>> work) {
        return db.transaction(cfg -> {
            DSLContext tx = DSL.using(cfg);
            Batch<T> batch = work.apply(tx);
            if (!batch.changes().isEmpty()) {
                AuditStore audit = new AuditStore(tx);
                for (Change<?> change : batch.changes()) {
                    audit.append(event(caller, change));
                }
                audit.append(event(caller, batch.summary()));
                new ConfigStateStore(tx).bump();
            }
            return batch.result();
        });
    }

    /**
     * Runs {@code work} in a transaction that is always rolled back: a dry run sees exactly what a write would
     * do (the same validation, conflicts and lookups against the same rows) and leaves no row, audit event or
     * version bump behind.
     */
    public <T> T preview(Function<DSLContext, T> work) {
        try {
            db.transaction(cfg -> {
                throw new RolledBack(work.apply(DSL.using(cfg)));
            });
        } catch (RolledBack done) {
            @SuppressWarnings("unchecked")
            T result = (T) done.result;
            return result;
        }
        throw new IllegalStateException("unreachable: a preview always rolls back");
    }

    /** Carries a preview's result out of the transaction it rolls back. */
    private static final class RolledBack extends RuntimeException {
        private final transient Object result;

        RolledBack(Object result) {
            super(null, null, false, false);
            this.result = result;
        }
    }

    /** Records an event that changes no configuration (sign-in, failed sign-in). */
    public void record(Caller caller, Change<?> change) {
        db.transaction(cfg -> new AuditStore(DSL.using(cfg)).append(event(caller, change)));
    }

    private static AuditEvent event(Caller caller, Change<?> c) {
        var p = caller.principal();
        return new AuditEvent(null, OffsetDateTime.now(), p == null ? "anonymous" : p.actorType(),
                p == null ? null : p.id().toString(), p == null ? null : p.name(), c.tenantId(), c.action(),
                c.targetType(), c.targetId(), c.before(), c.after(), caller.clientIp(), caller.requestId(), null, null);
    }
}
