package io.tollgate.admin.keys;

import io.tollgate.admin.http.TenantCollection;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.admin.auth.Principal;
import io.tollgate.admin.change.Caller;
import io.tollgate.admin.change.Change;
import io.tollgate.admin.change.ChangeWriter;
import io.tollgate.admin.http.Api;
import io.tollgate.admin.http.Input;
import io.tollgate.admin.routes.Routes;
import io.tollgate.admin.tenants.TenantScope;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.db.Database;
import io.tollgate.db.Ids;
import io.tollgate.db.model.ApiKey;
import io.tollgate.db.model.Route;
import io.tollgate.db.model.Tenant;
import io.tollgate.db.store.ApiKeyStore;
import io.tollgate.db.store.RouteStore;
import org.jooq.DSLContext;

import java.time.OffsetDateTime;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntConsumer;

/** API keys of one tenant. The full key exists only in the create response. */
public final class ApiKeys implements TenantCollection.Operations<ApiKey, ApiKeys.Created> {
    private static final Set<String> FIELDS = Set.of("name", "allowed_routes", "rate_per_second", "burst", "quota",
            "expires_at");

    /** A created key and its full text, which the caller shows once. */
    public record Created(ApiKey key, String fullKey) {
        @Override
        public String toString() {
            return "Created[key=" + key.id() + ", fullKey=<redacted>]";
        }
    }

    private final Database db;
    private final ChangeWriter writer;

    public ApiKeys(Database db, ChangeWriter writer) {
        this.db = db;
        this.writer = writer;
    }

    public Change<Created> create(DSLContext tx, Caller caller, String slug, ObjectNode body) {
        Tenant tenant = TenantScope.forAdmin(tx, caller.principal(), slug);
        OffsetDateTime now = OffsetDateTime.now();
        KeyMaterial material = KeyMaterial.generate();
        ApiKey base = new ApiKey(Ids.newId(), tenant.id(), null, material.publicId(), material.secretSha256(), null,
                null, null, null, null, null, null, 1, now, now);
        ApiKey key = read(tx, Input.of(body, FIELDS), base, true);
        new ApiKeyStore(tx).insert(key);
        return new Change<>(new Created(key, material.fullKey()), "api-key.create", tenant.id(), "api-key",
                key.id().toString(), null, KeyViews.json(key));
    }

    public List<ApiKey> page(Principal principal, String slug, UUID after, int limit) {
        Tenant tenant = TenantScope.forReader(db.dsl(), principal, slug);
        return new ApiKeyStore(db.dsl()).page(tenant.id(), after, limit);
    }

    public ApiKey get(Principal principal, String slug, String id) {
        Tenant tenant = TenantScope.forReader(db.dsl(), principal, slug);
        return find(new ApiKeyStore(db.dsl()), tenant.id(), id).orElseThrow(ApiKeys::notFound);
    }

    public ApiKey update(Caller caller, String slug, String id, ObjectNode body, IntConsumer ifMatch) {
        return writer.write(caller, tx -> update(tx, caller, slug, id, body, ifMatch));
    }

    /** The update inside a caller's transaction (a declarative apply runs many in one). */
    public Change<ApiKey> update(DSLContext tx, Caller caller, String slug, String id, ObjectNode body,
                                 IntConsumer ifMatch) {
        Tenant tenant = TenantScope.forAdmin(tx, caller.principal(), slug);
        ApiKeyStore store = new ApiKeyStore(tx);
        ApiKey current = find(store, tenant.id(), id).orElseThrow(ApiKeys::notFound);
        ifMatch.accept(current.rowVersion());
        if (current.revokedAt() != null) {
            throw ProblemException.of(ProblemType.CONFLICT, "this key is revoked; create a new one");
        }
        ApiKey read = read(tx, Input.of(body, FIELDS), current, false);
        ApiKey next = withVersion(read, current.revokedAt(), current.rowVersion() + 1);
        if (!store.update(next, current.rowVersion())) {
            throw Api.stale();
        }
        return new Change<>(next, "api-key.update", tenant.id(), "api-key", current.id().toString(),
                KeyViews.json(current), KeyViews.json(next));
    }

    /** DELETE of a key revokes it. */
    @Override
    public void delete(Caller caller, String slug, String id, IntConsumer ifMatch) {
        revoke(caller, slug, id, ifMatch);
    }

    /** Deleting a key revokes it: the row stays so the audit trail and usage keep their reference. */
    public void revoke(Caller caller, String slug, String id, IntConsumer ifMatch) {
        writer.write(caller, tx -> revoke(tx, caller, slug, id, ifMatch));
    }

    /** The revocation inside a caller's transaction. */
    public Change<ApiKey> revoke(DSLContext tx, Caller caller, String slug, String id, IntConsumer ifMatch) {
        Tenant tenant = TenantScope.forAdmin(tx, caller.principal(), slug);
        ApiKeyStore store = new ApiKeyStore(tx);
        ApiKey current = find(store, tenant.id(), id).orElseThrow(ApiKeys::notFound);
        ifMatch.accept(current.rowVersion());
        if (current.revokedAt() != null) {
            throw ProblemException.of(ProblemType.CONFLICT, "this key is already revoked");
        }
        ApiKey next = withVersion(current, OffsetDateTime.now(), current.rowVersion() + 1);
        if (!store.update(next, current.rowVersion())) {
            throw Api.stale();
        }
        return new Change<>(next, "api-key.revoke", tenant.id(), "api-key", current.id().toString(),
                KeyViews.json(current), KeyViews.json(next));
    }

    private static ApiKey withVersion(ApiKey k, OffsetDateTime revokedAt, int version) {
        return new ApiKey(k.id(), k.tenantId(), k.name(), k.publicId(), k.secretSha256(), k.allowedRoutes(),
                k.ratePerSecond(), k.burst(), k.quota(), k.expiresAt(), revokedAt, k.lastUsedAt(), version,
                k.createdAt(), OffsetDateTime.now());
    }

    private static Optional<ApiKey> find(ApiKeyStore store, UUID tenantId, String id) {
        try {
            return store.byId(tenantId, UUID.fromString(id));
        } catch (IllegalArgumentException notAnId) {
            return Optional.empty();
        }
    }

    private static ApiKey read(DSLContext tx, Input in, ApiKey base, boolean creating) {
        String name = creating || in.has("name") ? in.string("name", true, 200, null, null) : base.name();
        List<UUID> allowed = base.allowedRoutes();
        if (in.has("allowed_routes")) {
            RouteStore routes = new RouteStore(tx);
            List<UUID> ids = in.list("allowed_routes", false, 256, e -> e.text().map(ref -> {
                Optional<Route> route = Routes.find(routes, base.tenantId(), ref);
                if (route.isEmpty()) {
                    e.error("no route '" + ref + "' in this tenant");
                    return null;
                }
                return route.get().id();
            }).orElse(null));
            allowed = ids == null ? null : List.copyOf(new LinkedHashSet<>(ids));
        }
        Integer rate = in.has("rate_per_second") ? in.integer("rate_per_second", false, 1, 1_000_000) : base.ratePerSecond();
        Integer burst = in.has("burst") ? in.integer("burst", false, 1, 10_000_000) : base.burst();
        Long quota = in.has("quota") ? in.number("quota", false, 1, Long.MAX_VALUE / 2) : base.quota();
        OffsetDateTime expires = in.has("expires_at") ? in.instant("expires_at") : base.expiresAt();
        if (in.has("expires_at") && expires != null && !expires.isAfter(OffsetDateTime.now())) {
            in.error("expires_at", "must be in the future (revoke the key to stop it now)");
        }
        in.validate();
        return new ApiKey(base.id(), base.tenantId(), name, base.publicId(), base.secretSha256(), allowed, rate, burst,
                quota, expires, base.revokedAt(), base.lastUsedAt(), base.rowVersion(), base.createdAt(),
                base.updatedAt());
    }

    private static ProblemException notFound() {
        return ProblemException.of(ProblemType.NOT_FOUND, "no such API key in this tenant");
    }
}
