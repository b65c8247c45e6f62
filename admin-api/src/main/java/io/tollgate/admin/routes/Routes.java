package io.tollgate.admin.routes;

import io.tollgate.admin.http.TenantCollection;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.admin.auth.Principal;
import io.tollgate.admin.change.Caller;
import io.tollgate.admin.change.Change;
import io.tollgate.admin.change.ChangeWriter;
import io.tollgate.admin.http.Api;
import io.tollgate.admin.http.Input;
import io.tollgate.admin.http.Refs;
import io.tollgate.admin.services.Services;
import io.tollgate.admin.tenants.TenantScope;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.db.Database;
import io.tollgate.db.Ids;
import io.tollgate.db.model.Route;
import io.tollgate.db.model.Service;
import io.tollgate.db.model.Tenant;
import io.tollgate.db.store.RouteStore;
import io.tollgate.db.store.ServiceStore;
import org.jooq.DSLContext;

import java.time.OffsetDateTime;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntConsumer;
import java.util.regex.Pattern;

/**
 * Routes of one tenant. Gateway nodes match routes of all tenants together, so a route may not overlap any
 * other route (same host set, a shared path prefix and a shared method), whoever owns it.
 */
public final class Routes implements TenantCollection.Operations<Route, Route> {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final Pattern HOST = Pattern.compile("(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:[0-9]{1,5})?");
    private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9._~!$&'()*+,;=:@%/-]{0,1023}");
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    /** An HTTP field name (RFC 9110 token). */
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}");
    private static final Set<String> FIELDS = Set.of("name", "service", "hosts", "paths", "methods", "strip_prefix",
            "auth", "rate_per_second", "burst", "max_body_bytes", "pass_credential", "internal_headers",
            "deadline_ms", "cache_enabled", "cache_ttl_seconds", "cache_per_consumer", "cache_stale_if_error_seconds");

    private final Database db;
    private final ChangeWriter writer;

    public Routes(Database db, ChangeWriter writer) {
        this.db = db;
        this.writer = writer;
    }

    public Change<Route> create(DSLContext tx, Caller caller, String slug, ObjectNode body) {
        Tenant tenant = TenantScope.forAdmin(tx, caller.principal(), slug);
        OffsetDateTime now = OffsetDateTime.now();
        Route base = new Route(Ids.newId(), tenant.id(), null, null, List.of(), List.of(), List.of(), false,
                "api-key", null, null, null, false, List.of(), 1, now, now);
        Route route = read(tx, Input.of(body, FIELDS), base, true);
        RouteStore store = new RouteStore(tx);
        store.lockForWrite();
        checkUnique(store, route);
        store.insert(route);
        return new Change<>(route, "route.create", tenant.id(), "route", route.id().toString(), null,
                RouteViews.json(route));
    }

    public List<Route> page(Principal principal, String slug, UUID after, int limit) {
        Tenant tenant = TenantScope.forReader(db.dsl(), principal, slug);
        return new RouteStore(db.dsl()).page(tenant.id(), after, limit);
    }

    public Route get(Principal principal, String slug, String ref) {
        Tenant tenant = TenantScope.forReader(db.dsl(), principal, slug);
        return find(new RouteStore(db.dsl()), tenant.id(), ref).orElseThrow(() -> notFound(ref));
    }

    public Route update(Caller caller, String slug, String ref, ObjectNode body, IntConsumer ifMatch) {
        return writer.write(caller, tx -> update(tx, caller, slug, ref, body, ifMatch));
    }

    /** The update inside a caller's transaction (a declarative apply runs many in one). */
    public Change<Route> update(DSLContext tx, Caller caller, String slug, String ref, ObjectNode body,
                                IntConsumer ifMatch) {
        Tenant tenant = TenantScope.forAdmin(tx, caller.principal(), slug);
        RouteStore store = new RouteStore(tx);
        store.lockForWrite();
        Route current = find(store, tenant.id(), ref).orElseThrow(() -> notFound(ref));
        ifMatch.accept(current.rowVersion());
        Route read = read(tx, Input.of(body, FIELDS), current, false);
        Route next = new Route(read.id(), read.tenantId(), read.serviceId(), read.name(), read.hosts(),
                read.paths(), read.methods(), read.stripPrefix(), read.auth(), read.ratePerSecond(), read.burst(),
                read.maxBodyBytes(), read.passCredential(), read.internalHeaders(), current.rowVersion() + 1,
                current.createdAt(), OffsetDateTime.now(), read.deadlineMs(), read.cache());
        checkUnique(store, next);
        if (!store.update(next, current.rowVersion())) {
            throw Api.stale();
        }
        return new Change<>(next, "route.update", tenant.id(), "route", current.id().toString(),
                RouteViews.json(current), RouteViews.json(next));
    }

    public void delete(Caller caller, String slug, String ref, IntConsumer ifMatch) {
        writer.write(caller, tx -> delete(tx, caller, slug, ref, ifMatch));
    }

    /** The delete inside a caller's transaction. */
    public Change<Route> delete(DSLContext tx, Caller caller, String slug, String ref, IntConsumer ifMatch) {
        Tenant tenant = TenantScope.forAdmin(tx, caller.principal(), slug);
        RouteStore store = new RouteStore(tx);
        Route current = find(store, tenant.id(), ref).orElseThrow(() -> notFound(ref));
        ifMatch.accept(current.rowVersion());
        if (!store.delete(tenant.id(), current.id(), current.rowVersion())) {
            throw Api.stale();
        }
        return new Change<>(current, "route.delete", tenant.id(), "route", current.id().toString(),
                RouteViews.json(current), null);
    }

    /**
     * Purges what gateway nodes cached for the route: its purge generation moves on, in one change with its audit
     * event and config version bump, so every node drops the route's entries when it applies that version.
     * Returns the route's id and new generation.
     */
    public Purged purgeCache(Caller caller, String slug, String ref) {
        return writer.write(caller, tx -> {
            Tenant tenant = TenantScope.forAdmin(tx, caller.principal(), slug);
            RouteStore store = new RouteStore(tx);
            store.lockForWrite();
            Route current = find(store, tenant.id(), ref).orElseThrow(() -> notFound(ref));
            long generation = store.purgeCache(tenant.id(), current.id()).orElseThrow(() -> notFound(ref));
            var after = io.tollgate.common.json.Json.mapper().createObjectNode()
                    .put("cache_purge_generation", generation);
            return new Change<>(new Purged(current.id(), generation), "route.cache.purge", tenant.id(), "route", current.id().toString(), null,
                    after);
        });
    }

    /** A purge's result: the route and its new cache purge generation. */
    public record Purged(UUID routeId, long generation) {
    }

    public static Optional<Route> find(RouteStore store, UUID tenantId, String ref) {
        return Refs.byIdOrName(ref, id -> store.byId(tenantId, id), name -> store.byName(tenantId, name));
    }

    /** 409 when a route of the same name exists in the tenant, or another route serves the same traffic. */
    private static void checkUnique(RouteStore store, Route route) {
        Optional<Route> sameName = store.byName(route.tenantId(), route.name());
        if (sameName.isPresent() && !sameName.get().id().equals(route.id())) {
            throw ProblemException.of(ProblemType.CONFLICT, "a route named '" + route.name() + "' already exists");
        }
        for (Route other : store.sharingAPath(route.paths())) {
            if (other.id().equals(route.id()) || !overlaps(route, other)) {
                continue;
            }
            String detail = other.tenantId().equals(route.tenantId())
                    ? "route '" + other.name() + "' already serves the same host, path and method"
                    : "another tenant's route already serves the same host, path and method";
            throw ProblemException.of(ProblemType.CONFLICT, detail);
        }
    }

    /** Same hosts (both any, or a shared name) and a shared method (either any, or a shared verb). */
    static boolean overlaps(Route a, Route b) {
        boolean hosts = a.hosts().isEmpty() && b.hosts().isEmpty()
                || !Collections.disjoint(a.hosts(), b.hosts());
        boolean methods = a.methods().isEmpty() || b.methods().isEmpty()
                || !Collections.disjoint(a.methods(), b.methods());
        boolean paths = !Collections.disjoint(a.paths(), b.paths());
        return hosts && methods && paths;
    }

    private static Route read(DSLContext tx, Input in, Route base, boolean creating) {
        String name = creating || in.has("name")
                ? in.string("name", true, 100, NAME, "must be letters, digits, '.', '_' or '-' (at most 100)")
                : base.name();
        UUID serviceId = base.serviceId();
        if (creating || in.has("service")) {
            String ref = in.string("service", true, 100, null, null);
            if (ref != null) {
                Optional<Service> service = Services.find(new ServiceStore(tx), base.tenantId(), ref);
                if (service.isEmpty()) {
                    in.error("service", "no service '" + ref + "' in this tenant");
                } else {
                    serviceId = service.get().id();
                }
            }
        }
        List<String> hosts = in.has("hosts") ? distinct(in.list("hosts", false, 32, e -> e.text().map(h -> {
            String host = h.toLowerCase(Locale.ROOT);
            if (!HOST.matcher(host).matches()) {
                e.error("must be a host name such as api.example.com");
                return null;
            }
            return host;
        }).orElse(null))) : base.hosts();
        List<String> paths = creating || in.has("paths") ? distinct(in.list("paths", true, 32, e -> e.text().map(p -> {
            if (!PATH.matcher(p).matches() || p.contains("//") || p.contains("/../") || p.endsWith("/..")) {
                e.error("must start with '/' and hold only URL path characters, without '..' segments");
                return null;
            }
            return p;
        }).orElse(null))) : base.paths();
        if (paths != null && paths.isEmpty() && (creating || in.has("paths"))) {
            in.error("paths", "must name at least one path prefix");
        }
        List<String> methods = in.has("methods") ? distinct(in.list("methods", false, 7, e -> e.text().map(m -> {
            String method = m.toUpperCase(Locale.ROOT);
            if (!METHODS.contains(method)) {
                e.error("must be one of " + String.join(", ", METHODS.stream().sorted().toList()));
                return null;
            }
            return method;
        }).orElse(null))) : base.methods();
        Boolean strip = in.has("strip_prefix") ? in.bool("strip_prefix") : (Boolean) base.stripPrefix();
        String auth = in.has("auth") ? in.oneOf("auth", true, Set.of("api-key", "jwt", "none"), base.auth()) : base.auth();
        Integer rate = in.has("rate_per_second") ? in.integer("rate_per_second", false, 1, 1_000_000) : base.ratePerSecond();
        Integer burst = in.has("burst") ? in.integer("burst", false, 1, 10_000_000) : base.burst();
        Long maxBody = in.has("max_body_bytes") ? in.number("max_body_bytes", false, 0, 1L << 40) : base.maxBodyBytes();
        Boolean passCredential = in.has("pass_credential") ? in.bool("pass_credential") : (Boolean) base.passCredential();
        List<String> internalHeaders = in.has("internal_headers")
                ? distinct(in.list("internal_headers", false, 32, e -> e.text().map(h -> {
                    if (!HEADER_NAME.matcher(h).matches()) {
                        e.error("must be an HTTP header name (letters, digits and !#$%&'*+.^_`|~-, at most 100)");
                        return null;
                    }
                    return h.toLowerCase(Locale.ROOT);
                }).orElse(null)))
                : base.internalHeaders();
        Integer deadline = in.has("deadline_ms") ? in.integer("deadline_ms", false, 1, 3_600_000) : base.deadlineMs();
        Route.Cache cache = base.cache();
        Boolean cacheEnabled = in.has("cache_enabled") ? in.bool("cache_enabled") : (Boolean) cache.enabled();
        Integer cacheTtl = in.has("cache_ttl_seconds")
                ? in.integer("cache_ttl_seconds", true, 1, 86_400) : (Integer) cache.ttlSeconds();
        Boolean perConsumer = in.has("cache_per_consumer") ? in.bool("cache_per_consumer") : (Boolean) cache.perConsumer();
        Integer staleIfError = in.has("cache_stale_if_error_seconds")
                ? in.integer("cache_stale_if_error_seconds", true, 0, 86_400) : (Integer) cache.staleIfErrorSeconds();
        in.validate();
        Route.Cache nextCache = new Route.Cache(cacheEnabled == null ? cache.enabled() : cacheEnabled,
                cacheTtl == null ? cache.ttlSeconds() : cacheTtl, perConsumer == null ? cache.perConsumer() : perConsumer,
                staleIfError == null ? cache.staleIfErrorSeconds() : staleIfError, cache.purgeGeneration());
        return new Route(base.id(), base.tenantId(), serviceId, name, hosts == null ? List.of() : hosts, paths,
                methods == null ? List.of() : methods, strip == null ? base.stripPrefix() : strip, auth, rate, burst,
                maxBody, passCredential == null ? base.passCredential() : passCredential,
                internalHeaders == null ? List.of() : internalHeaders, base.rowVersion(), base.createdAt(),
                base.updatedAt(), deadline, nextCache);
    }

    private static List<String> distinct(List<String> values) {
        return values == null ? null : List.copyOf(new LinkedHashSet<>(values));
    }

    private static ProblemException notFound(String ref) {
        return ProblemException.of(ProblemType.NOT_FOUND, "no route '" + ref + "' in this tenant");
    }
}
