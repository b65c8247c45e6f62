package io.tollgate.db.store;

import com.fasterxml.jackson.core.type.TypeReference;
import io.tollgate.db.jooq.tables.records.ServicesRecord;
import io.tollgate.db.model.Service;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static io.tollgate.db.jooq.Tables.ROUTES;
import static io.tollgate.db.jooq.Tables.SERVICES;

/** Upstream services. Every read and write is scoped by tenant. */
public final class ServiceStore {
    private static final TypeReference<List<Service.Target>> TARGETS = new TypeReference<>() { };
    private final DSLContext dsl;

    public ServiceStore(DSLContext dsl) {
        this.dsl = dsl;
    }

    public void insert(Service s) {
        dsl.insertInto(SERVICES)
                .set(SERVICES.ID, s.id())
                .set(SERVICES.TENANT_ID, s.tenantId())
                .set(SERVICES.NAME, s.name())
                .set(SERVICES.LANGUAGE, s.language())
                .set(SERVICES.PROTOCOL, s.protocol())
                .set(SERVICES.TARGETS, JsonColumns.of(s.targets()))
                .set(SERVICES.CONNECT_TIMEOUT_MS, s.connectTimeoutMs())
                .set(SERVICES.READ_TIMEOUT_MS, s.readTimeoutMs())
                .set(SERVICES.RETRIES, s.retries())
                .set(resilience(s.resilience()))
                .set(SERVICES.ROW_VERSION, s.rowVersion())
                .set(SERVICES.CREATED_AT, s.createdAt())
                .set(SERVICES.UPDATED_AT, s.updatedAt())
                .execute();
    }

    public Optional<Service> byId(UUID tenantId, UUID id) {
        return dsl.selectFrom(SERVICES).where(SERVICES.TENANT_ID.eq(tenantId).and(SERVICES.ID.eq(id)))
                .fetchOptional(ServiceStore::map);
    }

    public Optional<Service> byName(UUID tenantId, String name) {
        return dsl.selectFrom(SERVICES).where(SERVICES.TENANT_ID.eq(tenantId).and(SERVICES.NAME.eq(name)))
                .fetchOptional(ServiceStore::map);
    }

    public List<Service> page(UUID tenantId, UUID after, int limit) {
        return dsl.selectFrom(SERVICES)
                .where(SERVICES.TENANT_ID.eq(tenantId))
                .and(after == null ? DSL.noCondition() : SERVICES.ID.gt(after))
                .orderBy(SERVICES.ID).limit(limit).fetch(ServiceStore::map);
    }

    public List<Service> allOf(UUID tenantId) {
        return dsl.selectFrom(SERVICES).where(SERVICES.TENANT_ID.eq(tenantId)).orderBy(SERVICES.ID)
                .fetch(ServiceStore::map);
    }

    public boolean update(Service s, int expectedVersion) {
        return dsl.update(SERVICES)
                .set(SERVICES.NAME, s.name())
                .set(SERVICES.LANGUAGE, s.language())
                .set(SERVICES.PROTOCOL, s.protocol())
                .set(SERVICES.TARGETS, JsonColumns.of(s.targets()))
                .set(SERVICES.CONNECT_TIMEOUT_MS, s.connectTimeoutMs())
                .set(SERVICES.READ_TIMEOUT_MS, s.readTimeoutMs())
                .set(SERVICES.RETRIES, s.retries())
                .set(resilience(s.resilience()))
                .set(SERVICES.ROW_VERSION, expectedVersion + 1)
                .set(SERVICES.UPDATED_AT, OffsetDateTime.now())
                .where(SERVICES.TENANT_ID.eq(s.tenantId()).and(SERVICES.ID.eq(s.id()))
                        .and(SERVICES.ROW_VERSION.eq(expectedVersion)))
                .execute() == 1;
    }

    public boolean hasRoutes(UUID tenantId, UUID serviceId) {
        return dsl.fetchExists(ROUTES, ROUTES.TENANT_ID.eq(tenantId).and(ROUTES.SERVICE_ID.eq(serviceId)));
    }

    public boolean delete(UUID tenantId, UUID id, int expectedVersion) {
        return dsl.deleteFrom(SERVICES)
                .where(SERVICES.TENANT_ID.eq(tenantId).and(SERVICES.ID.eq(id))
                        .and(SERVICES.ROW_VERSION.eq(expectedVersion)))
                .execute() == 1;
    }

    static Service map(ServicesRecord r) {
        return new Service(r.getId(), r.getTenantId(), r.getName(), r.getLanguage(), r.getProtocol(),
                JsonColumns.read(r.getTargets(), TARGETS), r.getConnectTimeoutMs(), r.getReadTimeoutMs(),
                r.getRetries(), r.getRowVersion(), r.getCreatedAt(), r.getUpdatedAt(), resilience(r));
    }

    private static Map<Field<?>, Object> resilience(Service.Resilience r) {
        Map<Field<?>, Object> values = new LinkedHashMap<>();
        values.put(SERVICES.LB_POLICY, r.lbPolicy());
        values.put(SERVICES.HASH_HEADER, r.hashHeader());
        values.put(SERVICES.OUTLIER_CONSECUTIVE_FAILURES, r.outlierConsecutiveFailures());
        values.put(SERVICES.OUTLIER_BASE_EJECTION_MS, r.outlierBaseEjectionMs());
        values.put(SERVICES.BREAKER_CONSECUTIVE_FAILURES, r.breakerConsecutiveFailures());
        values.put(SERVICES.BREAKER_OPEN_MS, r.breakerOpenMs());
        values.put(SERVICES.BREAKER_HALF_OPEN_REQUESTS, r.breakerHalfOpenRequests());
        values.put(SERVICES.HEALTH_CHECK_PATH, r.healthCheckPath());
        values.put(SERVICES.HEALTH_CHECK_INTERVAL_MS, r.healthCheckIntervalMs());
        values.put(SERVICES.HEALTH_CHECK_TIMEOUT_MS, r.healthCheckTimeoutMs());
        values.put(SERVICES.HEALTH_CHECK_HEALTHY_THRESHOLD, r.healthCheckHealthyThreshold());
        values.put(SERVICES.HEALTH_CHECK_UNHEALTHY_THRESHOLD, r.healthCheckUnhealthyThreshold());
        return values;
    }

    /** The resilience columns of a row; public for the snapshot reader, which maps the same row. */
    public static Service.Resilience resilience(ServicesRecord r) {
        return new Service.Resilience(r.getLbPolicy(), r.getHashHeader(), r.getOutlierConsecutiveFailures(),
                r.getOutlierBaseEjectionMs(), r.getBreakerConsecutiveFailures(), r.getBreakerOpenMs(),
                r.getBreakerHalfOpenRequests(), r.getHealthCheckPath(), r.getHealthCheckIntervalMs(),
                r.getHealthCheckTimeoutMs(), r.getHealthCheckHealthyThreshold(),
                r.getHealthCheckUnhealthyThreshold());
    }
}
