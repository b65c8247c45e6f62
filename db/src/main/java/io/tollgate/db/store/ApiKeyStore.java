package io.tollgate.db.store;

import io.tollgate.db.jooq.tables.records.ApiKeysRecord;
import io.tollgate.db.model.ApiKey;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static io.tollgate.db.jooq.Tables.API_KEYS;

/** API keys, scoped by tenant. Holds the SHA-256 of each secret, never the secret. */
public final class ApiKeyStore {
    private final DSLContext dsl;

    public ApiKeyStore(DSLContext dsl) {
        this.dsl = dsl;
    }

    public void insert(ApiKey k) {
        dsl.insertInto(API_KEYS)
                .set(API_KEYS.ID, k.id())
                .set(API_KEYS.TENANT_ID, k.tenantId())
                .set(API_KEYS.NAME, k.name())
                .set(API_KEYS.PUBLIC_ID, k.publicId())
                .set(API_KEYS.SECRET_SHA256, k.secretSha256())
                .set(API_KEYS.ALLOWED_ROUTES, JsonColumns.of(k.allowedRoutes()))
                .set(API_KEYS.RATE_PER_SECOND, k.ratePerSecond())
                .set(API_KEYS.BURST, k.burst())
                .set(API_KEYS.QUOTA, k.quota())
                .set(API_KEYS.EXPIRES_AT, k.expiresAt())
                .set(API_KEYS.ROW_VERSION, k.rowVersion())
                .set(API_KEYS.CREATED_AT, k.createdAt())
                .set(API_KEYS.UPDATED_AT, k.updatedAt())
                .execute();
    }

    public Optional<ApiKey> byId(UUID tenantId, UUID id) {
        return dsl.selectFrom(API_KEYS).where(API_KEYS.TENANT_ID.eq(tenantId).and(API_KEYS.ID.eq(id)))
                .fetchOptional(ApiKeyStore::map);
    }

    public List<ApiKey> page(UUID tenantId, UUID after, int limit) {
        return dsl.selectFrom(API_KEYS)
                .where(API_KEYS.TENANT_ID.eq(tenantId))
                .and(after == null ? DSL.noCondition() : API_KEYS.ID.gt(after))
                .orderBy(API_KEYS.ID).limit(limit).fetch(ApiKeyStore::map);
    }

    public List<ApiKey> allOf(UUID tenantId) {
        return dsl.selectFrom(API_KEYS).where(API_KEYS.TENANT_ID.eq(tenantId)).orderBy(API_KEYS.ID)
                .fetch(ApiKeyStore::map);
    }

    public boolean update(ApiKey k, int expectedVersion) {
        return dsl.update(API_KEYS)
                .set(API_KEYS.NAME, k.name())
                .set(API_KEYS.ALLOWED_ROUTES, JsonColumns.of(k.allowedRoutes()))
                .set(API_KEYS.RATE_PER_SECOND, k.ratePerSecond())
                .set(API_KEYS.BURST, k.burst())
                .set(API_KEYS.QUOTA, k.quota())
                .set(API_KEYS.EXPIRES_AT, k.expiresAt())
                .set(API_KEYS.REVOKED_AT, k.revokedAt())
                .set(API_KEYS.ROW_VERSION, expectedVersion + 1)
                .set(API_KEYS.UPDATED_AT, OffsetDateTime.now())
                .where(API_KEYS.TENANT_ID.eq(k.tenantId()).and(API_KEYS.ID.eq(k.id()))
                        .and(API_KEYS.ROW_VERSION.eq(expectedVersion)))
                .execute() == 1;
    }

    static ApiKey map(ApiKeysRecord r) {
        return new ApiKey(r.getId(), r.getTenantId(), r.getName(), r.getPublicId(), r.getSecretSha256(),
                JsonColumns.uuids(r.getAllowedRoutes()), r.getRatePerSecond(), r.getBurst(), r.getQuota(),
                r.getExpiresAt(), r.getRevokedAt(), r.getLastUsedAt(), r.getRowVersion(), r.getCreatedAt(),
                r.getUpdatedAt());
    }
}
