package io.tollgate.db.snapshot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.tollgate.common.json.Json;
import io.tollgate.db.jooq.tables.records.ApiKeysRecord;
import io.tollgate.db.jooq.tables.records.RoutesRecord;
import io.tollgate.db.jooq.tables.records.ServicesRecord;
import io.tollgate.db.jooq.tables.records.TenantsRecord;
import io.tollgate.db.model.ApiKey;
import io.tollgate.db.model.Route;
import io.tollgate.db.model.Service;
import io.tollgate.db.model.Tenant;
import io.tollgate.db.store.ServiceStore;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

import java.sql.Connection;
import java.util.List;
import java.util.UUID;

import static io.tollgate.db.jooq.Tables.API_KEYS;
import static io.tollgate.db.jooq.Tables.CONFIG_STATE;
import static io.tollgate.db.jooq.Tables.ROUTES;
import static io.tollgate.db.jooq.Tables.SERVICES;
import static io.tollgate.db.jooq.Tables.TENANTS;

/** Reads a {@link ConfigSnapshot} in one REPEATABLE READ, read-only transaction. */
public final class ConfigSnapshotReader {
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };
    private static final TypeReference<List<UUID>> UUIDS = new TypeReference<>() { };
    private static final TypeReference<List<Service.Target>> TARGETS = new TypeReference<>() { };

    private final DSLContext dsl;

    public ConfigSnapshotReader(DSLContext dsl) {
        this.dsl = dsl;
    }

    /**
     * The whole config as of one instant. REPEATABLE READ makes every select see the same database snapshot,
     * so the version read first is exactly the version of the rows read after it.
     */
    public ConfigSnapshot read() {
        return dsl.connectionResult(connection -> {
            boolean autoCommit = connection.getAutoCommit();
            int isolation = connection.getTransactionIsolation();
            boolean readOnly = connection.isReadOnly();
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            try {
                ConfigSnapshot snapshot = readIn(DSL.using(connection, SQLDialect.POSTGRES, dsl.settings()));
                connection.commit();
                return snapshot;
            } catch (RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setReadOnly(readOnly);
                connection.setTransactionIsolation(isolation);
                connection.setAutoCommit(autoCommit);
            }
        });
    }

    private static ConfigSnapshot readIn(DSLContext tx) {
        long version = tx.select(CONFIG_STATE.VERSION).from(CONFIG_STATE).where(CONFIG_STATE.ID.eq(1))
                .fetchSingle(CONFIG_STATE.VERSION);
        List<Tenant> tenants = tx.selectFrom(TENANTS).orderBy(TENANTS.ID).fetch(ConfigSnapshotReader::tenant);
        List<Service> services = tx.selectFrom(SERVICES).orderBy(SERVICES.ID).fetch(ConfigSnapshotReader::service);
        List<Route> routes = tx.selectFrom(ROUTES).orderBy(ROUTES.ID).fetch(ConfigSnapshotReader::route);
        List<ApiKey> keys = tx.selectFrom(API_KEYS).orderBy(API_KEYS.ID).fetch(ConfigSnapshotReader::apiKey);
        return new ConfigSnapshot(version, tenants, services, routes, keys);
    }

    private static Tenant tenant(TenantsRecord r) {
        return io.tollgate.db.store.TenantStore.map(r);
    }

    private static Service service(ServicesRecord r) {
        return new Service(r.getId(), r.getTenantId(), r.getName(), r.getLanguage(), r.getProtocol(),
                json(r.getTargets(), TARGETS), r.getConnectTimeoutMs(), r.getReadTimeoutMs(), r.getRetries(),
                r.getRowVersion(), r.getCreatedAt(), r.getUpdatedAt(), ServiceStore.resilience(r));
    }

    private static Route route(RoutesRecord r) {
        return new Route(r.getId(), r.getTenantId(), r.getServiceId(), r.getName(), json(r.getHosts(), STRINGS),
                json(r.getPaths(), STRINGS), json(r.getMethods(), STRINGS), r.getStripPrefix(), r.getAuth(),
                r.getRatePerSecond(), r.getBurst(), r.getMaxBodyBytes(), r.getPassCredential(),
                json(r.getInternalHeaders(), STRINGS), r.getRowVersion(), r.getCreatedAt(),
                r.getUpdatedAt(), r.getDeadlineMs(), io.tollgate.db.store.RouteStore.cache(r));
    }

    private static ApiKey apiKey(ApiKeysRecord r) {
        return new ApiKey(r.getId(), r.getTenantId(), r.getName(), r.getPublicId(), r.getSecretSha256(),
                r.getAllowedRoutes() == null ? null : json(r.getAllowedRoutes(), UUIDS), r.getRatePerSecond(),
                r.getBurst(), r.getQuota(), r.getExpiresAt(), r.getRevokedAt(), r.getLastUsedAt(),
                r.getRowVersion(), r.getCreatedAt(), r.getUpdatedAt());
    }

    private static <T> T json(JSONB column, TypeReference<T> type) {
        try {
            return Json.mapper().readValue(column.data(), type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is not readable", e);
        }
    }
}
