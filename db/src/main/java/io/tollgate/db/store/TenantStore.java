package io.tollgate.db.store;

import io.tollgate.db.jooq.tables.records.TenantsRecord;
import io.tollgate.db.model.Tenant;
import org.jooq.DSLContext;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static io.tollgate.db.jooq.Tables.TENANTS;

public final class TenantStore {
    private final DSLContext dsl;

    public TenantStore(DSLContext dsl) {
        this.dsl = dsl;
    }

    public void insert(Tenant t) {
        dsl.insertInto(TENANTS)
                .set(TENANTS.ID, t.id())
                .set(TENANTS.SLUG, t.slug())
                .set(TENANTS.NAME, t.name())
                .set(TENANTS.STATUS, t.status())
                .set(TENANTS.RATE_PER_SECOND, t.plan().ratePerSecond())
                .set(TENANTS.BURST, t.plan().burst())
                .set(TENANTS.QUOTA, t.plan().quota())
                .set(TENANTS.QUOTA_PERIOD, t.plan().quotaPeriod())
                .set(TENANTS.JWT_ISSUER, t.jwt() == null ? null : t.jwt().issuer())
                .set(TENANTS.JWT_AUDIENCE, t.jwt() == null ? null : t.jwt().audience())
                .set(TENANTS.JWT_HS256_SECRET, t.jwt() == null ? null : t.jwt().hs256Secret())
                .set(TENANTS.JWT_RS256_PUBLIC_KEY, t.jwt() == null ? null : t.jwt().rs256PublicKeyPem())
                .set(TENANTS.JWT_CLOCK_SKEW_SECONDS, t.jwt() == null ? null : t.jwt().clockSkewSeconds())
                .set(TENANTS.ROW_VERSION, t.rowVersion())
                .set(TENANTS.CREATED_AT, t.createdAt())
                .set(TENANTS.UPDATED_AT, t.updatedAt())
                .execute();
    }

    public Optional<Tenant> bySlug(String slug) {
        return dsl.selectFrom(TENANTS).where(TENANTS.SLUG.eq(slug)).fetchOptional(TenantStore::map);
    }

    public Optional<Tenant> byId(UUID id) {
        return dsl.selectFrom(TENANTS).where(TENANTS.ID.eq(id)).fetchOptional(TenantStore::map);
    }

    /** Locks the row for the rest of the transaction, so concurrent writers of one tenant serialize. */
    public Optional<Tenant> bySlugForUpdate(String slug) {
        return dsl.selectFrom(TENANTS).where(TENANTS.SLUG.eq(slug)).forUpdate().fetchOptional(TenantStore::map);
    }

    public List<Tenant> page(UUID after, int limit) {
        return dsl.selectFrom(TENANTS)
                .where(after == null ? org.jooq.impl.DSL.noCondition() : TENANTS.ID.gt(after))
                .orderBy(TENANTS.ID)
                .limit(limit)
                .fetch(TenantStore::map);
    }

    /** A page of only the given tenants (what a tenant-scoped caller may see). */
    public List<Tenant> page(java.util.Collection<UUID> only, UUID after, int limit) {
        return dsl.selectFrom(TENANTS)
                .where(TENANTS.ID.in(only))
                .and(after == null ? org.jooq.impl.DSL.noCondition() : TENANTS.ID.gt(after))
                .orderBy(TENANTS.ID)
                .limit(limit)
                .fetch(TenantStore::map);
    }

    public List<Tenant> all() {
        return dsl.selectFrom(TENANTS).orderBy(TENANTS.ID).fetch(TenantStore::map);
    }

    /** Writes the new state when the stored row version is still {@code expectedVersion}. */
    public boolean update(Tenant t, int expectedVersion) {
        return dsl.update(TENANTS)
                .set(TENANTS.NAME, t.name())
                .set(TENANTS.STATUS, t.status())
                .set(TENANTS.RATE_PER_SECOND, t.plan().ratePerSecond())
                .set(TENANTS.BURST, t.plan().burst())
                .set(TENANTS.QUOTA, t.plan().quota())
                .set(TENANTS.QUOTA_PERIOD, t.plan().quotaPeriod())
                .set(TENANTS.JWT_ISSUER, t.jwt() == null ? null : t.jwt().issuer())
                .set(TENANTS.JWT_AUDIENCE, t.jwt() == null ? null : t.jwt().audience())
                .set(TENANTS.JWT_HS256_SECRET, t.jwt() == null ? null : t.jwt().hs256Secret())
                .set(TENANTS.JWT_RS256_PUBLIC_KEY, t.jwt() == null ? null : t.jwt().rs256PublicKeyPem())
                .set(TENANTS.JWT_CLOCK_SKEW_SECONDS, t.jwt() == null ? null : t.jwt().clockSkewSeconds())
                .set(TENANTS.ROW_VERSION, expectedVersion + 1)
                .set(TENANTS.UPDATED_AT, OffsetDateTime.now())
                .where(TENANTS.ID.eq(t.id()).and(TENANTS.ROW_VERSION.eq(expectedVersion)))
                .execute() == 1;
    }

    public boolean delete(UUID id, int expectedVersion) {
        return dsl.deleteFrom(TENANTS)
                .where(TENANTS.ID.eq(id).and(TENANTS.ROW_VERSION.eq(expectedVersion)))
                .execute() == 1;
    }

    public static Tenant map(TenantsRecord r) {
        return new Tenant(r.getId(), r.getSlug(), r.getName(), r.getStatus(),
                new Tenant.Plan(r.getRatePerSecond(), r.getBurst(), r.getQuota(), r.getQuotaPeriod()),
                jwt(r), r.getRowVersion(), r.getCreatedAt(), r.getUpdatedAt());
    }

    private static Tenant.Jwt jwt(TenantsRecord r) {
        if (r.getJwtIssuer() == null) {
            return null;
        }
        return new Tenant.Jwt(r.getJwtIssuer(), r.getJwtAudience(), r.getJwtHs256Secret(), r.getJwtRs256PublicKey(),
                r.getJwtClockSkewSeconds() == null ? 0 : r.getJwtClockSkewSeconds());
    }
}
