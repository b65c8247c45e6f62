package io.tollgate.db.store;

import io.tollgate.db.jooq.tables.records.ApiTokensRecord;
import io.tollgate.db.model.ApiToken;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static io.tollgate.db.jooq.Tables.API_TOKENS;

/** Operator automation tokens (their ids, scopes and revocation; never the token text). */
public final class TokenStore {
    private final DSLContext dsl;

    public TokenStore(DSLContext dsl) {
        this.dsl = dsl;
    }

    public void insert(ApiToken t) {
        dsl.insertInto(API_TOKENS)
                .set(API_TOKENS.ID, t.id())
                .set(API_TOKENS.NAME, t.name())
                .set(API_TOKENS.ROLE, t.role())
                .set(API_TOKENS.TENANT_ID, t.tenantId())
                .set(API_TOKENS.CREATED_BY, t.createdBy())
                .set(API_TOKENS.EXPIRES_AT, t.expiresAt())
                .set(API_TOKENS.CREATED_AT, t.createdAt())
                .execute();
    }

    public Optional<ApiToken> byId(UUID id) {
        return dsl.selectFrom(API_TOKENS).where(API_TOKENS.ID.eq(id)).fetchOptional(TokenStore::map);
    }

    public List<ApiToken> page(UUID after, int limit) {
        return dsl.selectFrom(API_TOKENS)
                .where(after == null ? DSL.noCondition() : API_TOKENS.ID.gt(after))
                .orderBy(API_TOKENS.ID).limit(limit).fetch(TokenStore::map);
    }

    /** A page of only the tokens scoped to the given tenants. */
    public List<ApiToken> page(java.util.Collection<UUID> tenants, UUID after, int limit) {
        return dsl.selectFrom(API_TOKENS)
                .where(API_TOKENS.TENANT_ID.in(tenants))
                .and(after == null ? DSL.noCondition() : API_TOKENS.ID.gt(after))
                .orderBy(API_TOKENS.ID).limit(limit).fetch(TokenStore::map);
    }

    public boolean revoke(UUID id, OffsetDateTime at) {
        return dsl.update(API_TOKENS).set(API_TOKENS.REVOKED_AT, at)
                .where(API_TOKENS.ID.eq(id).and(API_TOKENS.REVOKED_AT.isNull())).execute() == 1;
    }

    static ApiToken map(ApiTokensRecord r) {
        return new ApiToken(r.getId(), r.getName(), r.getRole(), r.getTenantId(), r.getCreatedBy(), r.getExpiresAt(),
                r.getRevokedAt(), r.getCreatedAt());
    }
}
