package io.tollgate.db.store;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.time.OffsetDateTime;

import static io.tollgate.db.jooq.Tables.CONFIG_STATE;

/** The single growing config version, and the notification that wakes gateway nodes. */
public final class ConfigStateStore {
    public static final String CHANNEL = "tollgate_config";

    private final DSLContext dsl;

    public ConfigStateStore(DSLContext dsl) {
        this.dsl = dsl;
    }

    public long version() {
        return dsl.select(CONFIG_STATE.VERSION).from(CONFIG_STATE).where(CONFIG_STATE.ID.eq(1)).fetchSingle(CONFIG_STATE.VERSION);
    }

    /**
     * Bumps the version and queues a NOTIFY; both take effect when the caller's transaction commits, so a node
     * woken by the notification always sees the change.
     */
    public long bump() {
        long next = dsl.update(CONFIG_STATE)
                .set(CONFIG_STATE.VERSION, CONFIG_STATE.VERSION.plus(1))
                .set(CONFIG_STATE.UPDATED_AT, OffsetDateTime.now())
                .where(CONFIG_STATE.ID.eq(1))
                .returning(CONFIG_STATE.VERSION)
                .fetchSingle(CONFIG_STATE.VERSION);
        dsl.select(DSL.function("pg_notify", Object.class, DSL.val(CHANNEL), DSL.val(Long.toString(next)))).fetch();
        return next;
    }
}
