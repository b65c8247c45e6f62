package io.tollgate.db.store;

import io.tollgate.db.jooq.tables.records.RoutesRecord;
import io.tollgate.db.model.Route;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static io.tollgate.db.jooq.Tables.ROUTES;

/** Routes. Every read and write is scoped by tenant, except {@link #allForOverlapCheck()}. */
public final class RouteStore {
    /** Key of the transaction-scoped advisory lock that serializes route writes across all tenants. */
    private static final long ROUTE_WRITE_LOCK = 0x746f6c6c_726f7574L;

    private final DSLContext dsl;

    public RouteStore(DSLContext dsl) {
        this.dsl = dsl;
    }

    /**
     * Serializes route writes for the rest of the transaction, so two concurrent writers cannot both pass the
     * overlap check with routes that collide.
     */
    public void lockForWrite() {
        dsl.select(DSL.function("pg_advisory_xact_lock", Object.class, DSL.val(ROUTE_WRITE_LOCK))).fetch();
    }

    public void insert(Route r) {
        dsl.insertInto(ROUTES)
                .set(ROUTES.ID, r.id())
                .set(ROUTES.TENANT_ID, r.tenantId())
                .set(ROUTES.SERVICE_ID, r.serviceId())
                .set(ROUTES.NAME, r.name())
                .set(ROUTES.HOSTS, JsonColumns.of(r.hosts()))
                .set(ROUTES.PATHS, JsonColumns.of(r.paths()))
                .set(ROUTES.METHODS, JsonColumns.of(r.methods()))
                .set(ROUTES.STRIP_PREFIX, r.stripPrefix())
                .set(ROUTES.AUTH, r.auth())
                .set(ROUTES.RATE_PER_SECOND, r.ratePerSecond())
                .set(ROUTES.BURST, r.burst())
                .set(ROUTES.MAX_BODY_BYTES, r.maxBodyBytes())
                .set(ROUTES.PASS_CREDENTIAL, r.passCredential())
                .set(ROUTES.INTERNAL_HEADERS, JsonColumns.of(r.internalHeaders()))
                .set(ROUTES.DEADLINE_MS, r.deadlineMs())
                .set(ROUTES.CACHE_ENABLED, r.cache().enabled())
                .set(ROUTES.CACHE_TTL_SECONDS, r.cache().ttlSeconds())
                .set(ROUTES.CACHE_PER_CONSUMER, r.cache().perConsumer())
                .set(ROUTES.CACHE_STALE_IF_ERROR_SECONDS, r.cache().staleIfErrorSeconds())
                .set(ROUTES.CACHE_PURGE_GENERATION, r.cache().purgeGeneration())
                .set(ROUTES.ROW_VERSION, r.rowVersion())
                .set(ROUTES.CREATED_AT, r.createdAt())
                .set(ROUTES.UPDATED_AT, r.updatedAt())
                .execute();
    }

    public Optional<Route> byId(UUID tenantId, UUID id) {
        return dsl.selectFrom(ROUTES).where(ROUTES.TENANT_ID.eq(tenantId).and(ROUTES.ID.eq(id)))
                .fetchOptional(RouteStore::map);
    }

    public Optional<Route> byName(UUID tenantId, String name) {
        return dsl.selectFrom(ROUTES).where(ROUTES.TENANT_ID.eq(tenantId).and(ROUTES.NAME.eq(name)))
                .fetchOptional(RouteStore::map);
    }

    public List<Route> page(UUID tenantId, UUID after, int limit) {
        return dsl.selectFrom(ROUTES)
                .where(ROUTES.TENANT_ID.eq(tenantId))
                .and(after == null ? DSL.noCondition() : ROUTES.ID.gt(after))
                .orderBy(ROUTES.ID).limit(limit).fetch(RouteStore::map);
    }

    public List<Route> allOf(UUID tenantId) {
        return dsl.selectFrom(ROUTES).where(ROUTES.TENANT_ID.eq(tenantId)).orderBy(ROUTES.ID).fetch(RouteStore::map);
    }

    /**
     * Every route of every tenant whose paths share one with {@code paths}: routes are matched across tenants
     * on one gateway, so overlap is a platform-wide question. The caller reports only what the current tenant
     * may know (that a conflict exists), never the other tenant's route.
     */
    public List<Route> sharingAPath(List<String> paths) {
        return dsl.selectFrom(ROUTES)
                // jsonb_exists_any is the function behind the ?| operator, which JDBC would read as a placeholder.
                .where(DSL.condition("jsonb_exists_any({0}, {1})", ROUTES.PATHS, DSL.val(paths.toArray(String[]::new))))
                .fetch(RouteStore::map);
    }

    public boolean update(Route r, int expectedVersion) {
        return dsl.update(ROUTES)
                .set(ROUTES.SERVICE_ID, r.serviceId())
                .set(ROUTES.NAME, r.name())
                .set(ROUTES.HOSTS, JsonColumns.of(r.hosts()))
                .set(ROUTES.PATHS, JsonColumns.of(r.paths()))
                .set(ROUTES.METHODS, JsonColumns.of(r.methods()))
                .set(ROUTES.STRIP_PREFIX, r.stripPrefix())
                .set(ROUTES.AUTH, r.auth())
                .set(ROUTES.RATE_PER_SECOND, r.ratePerSecond())
                .set(ROUTES.BURST, r.burst())
                .set(ROUTES.MAX_BODY_BYTES, r.maxBodyBytes())
                .set(ROUTES.PASS_CREDENTIAL, r.passCredential())
                .set(ROUTES.INTERNAL_HEADERS, JsonColumns.of(r.internalHeaders()))
                .set(ROUTES.DEADLINE_MS, r.deadlineMs())
                // not the purge generation: only purgeCache moves it, so an edit never undoes a purge
                .set(ROUTES.CACHE_ENABLED, r.cache().enabled())
                .set(ROUTES.CACHE_TTL_SECONDS, r.cache().ttlSeconds())
                .set(ROUTES.CACHE_PER_CONSUMER, r.cache().perConsumer())
                .set(ROUTES.CACHE_STALE_IF_ERROR_SECONDS, r.cache().staleIfErrorSeconds())
                .set(ROUTES.ROW_VERSION, expectedVersion + 1)
                .set(ROUTES.UPDATED_AT, OffsetDateTime.now())
                .where(ROUTES.TENANT_ID.eq(r.tenantId()).and(ROUTES.ID.eq(r.id()))
                        .and(ROUTES.ROW_VERSION.eq(expectedVersion)))
                .execute() == 1;
    }

    /**
     * Moves the route's cache purge generation on by one, so that gateway nodes stop serving what they cached for
     * it; returns the new generation, or empty when the tenant has no such route. The row version stays: a purge
     * changes no setting, so it does not make a client's If-Match stale.
     */
    public Optional<Long> purgeCache(UUID tenantId, UUID id) {
        return dsl.update(ROUTES)
                .set(ROUTES.CACHE_PURGE_GENERATION, ROUTES.CACHE_PURGE_GENERATION.plus(1L))
                .where(ROUTES.TENANT_ID.eq(tenantId).and(ROUTES.ID.eq(id)))
                .returning(ROUTES.CACHE_PURGE_GENERATION)
                .fetchOptional(ROUTES.CACHE_PURGE_GENERATION);
    }

    public boolean delete(UUID tenantId, UUID id, int expectedVersion) {
        return dsl.deleteFrom(ROUTES)
                .where(ROUTES.TENANT_ID.eq(tenantId).and(ROUTES.ID.eq(id)).and(ROUTES.ROW_VERSION.eq(expectedVersion)))
                .execute() == 1;
    }

    static Route map(RoutesRecord r) {
        return new Route(r.getId(), r.getTenantId(), r.getServiceId(), r.getName(), JsonColumns.strings(r.getHosts()),
                JsonColumns.strings(r.getPaths()), JsonColumns.strings(r.getMethods()), r.getStripPrefix(),
                r.getAuth(), r.getRatePerSecond(), r.getBurst(), r.getMaxBodyBytes(), r.getPassCredential(),
                JsonColumns.strings(r.getInternalHeaders()), r.getRowVersion(),
                r.getCreatedAt(), r.getUpdatedAt(), r.getDeadlineMs(), cache(r));
    }

    public static Route.Cache cache(RoutesRecord r) {
        return new Route.Cache(r.getCacheEnabled(), r.getCacheTtlSeconds(), r.getCachePerConsumer(),
                r.getCacheStaleIfErrorSeconds(), r.getCachePurgeGeneration());
    }
}
