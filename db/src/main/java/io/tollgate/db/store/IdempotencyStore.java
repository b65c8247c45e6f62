package io.tollgate.db.store;

import org.jooq.DSLContext;

import java.util.Optional;

import static io.tollgate.db.jooq.Tables.IDEMPOTENCY_KEYS;

/** Stored first responses of POSTs that carried an Idempotency-Key, per principal. */
public final class IdempotencyStore {
    public record Stored(String method, String path, String requestHash, int status, String location, String etag,
                         String body) {
    }

    private final DSLContext dsl;

    public IdempotencyStore(DSLContext dsl) {
        this.dsl = dsl;
    }

    public Optional<Stored> find(String principal, String key) {
        return dsl.selectFrom(IDEMPOTENCY_KEYS)
                .where(IDEMPOTENCY_KEYS.PRINCIPAL.eq(principal).and(IDEMPOTENCY_KEYS.KEY.eq(key)))
                .fetchOptional(r -> new Stored(r.getMethod(), r.getPath(), r.getRequestHash(), r.getStatus(),
                        r.getLocation(), r.getEtag(), r.getResponseBody()));
    }

    public void insert(String principal, String key, Stored s) {
        dsl.insertInto(IDEMPOTENCY_KEYS)
                .set(IDEMPOTENCY_KEYS.PRINCIPAL, principal)
                .set(IDEMPOTENCY_KEYS.KEY, key)
                .set(IDEMPOTENCY_KEYS.METHOD, s.method())
                .set(IDEMPOTENCY_KEYS.PATH, s.path())
                .set(IDEMPOTENCY_KEYS.REQUEST_HASH, s.requestHash())
                .set(IDEMPOTENCY_KEYS.STATUS, s.status())
                .set(IDEMPOTENCY_KEYS.LOCATION, s.location())
                .set(IDEMPOTENCY_KEYS.ETAG, s.etag())
                .set(IDEMPOTENCY_KEYS.RESPONSE_BODY, s.body())
                .execute();
    }
}
