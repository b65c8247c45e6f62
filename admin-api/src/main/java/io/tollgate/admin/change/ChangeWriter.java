package io.tollgate.admin.change;

import io.tollgate.db.Database;
import io.tollgate.db.model.AuditEvent;
import io.tollgate.db.store.AuditStore;
import io.tollgate.db.store.ConfigStateStore;
import io.tollgate.db.store.IdempotencyStore;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.time.OffsetDateTime;
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
