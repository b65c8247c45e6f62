package io.tollgate.admin.services;

import io.tollgate.admin.http.TenantCollection;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.admin.auth.Principal;
import io.tollgate.admin.change.Caller;
import io.tollgate.admin.change.Change;
import io.tollgate.admin.change.ChangeWriter;
import io.tollgate.admin.http.Api;
import io.tollgate.admin.http.Input;
import io.tollgate.admin.http.Refs;
import io.tollgate.admin.tenants.TenantScope;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.db.Database;
import io.tollgate.db.Ids;
import io.tollgate.db.model.Service;
import io.tollgate.db.model.Tenant;
import io.tollgate.db.store.ServiceStore;
import org.jooq.DSLContext;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntConsumer;
import java.util.regex.Pattern;

/** Upstream services of one tenant: where its Go, Rust or other backends run. */
public final class Services implements TenantCollection.Operations<Service, Service> {
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final Set<String> FIELDS = Set.of("name", "language", "protocol", "targets", "connect_timeout_ms",
            "read_timeout_ms", "retries", "lb_policy", "hash_header", "outlier_consecutive_failures",
            "outlier_base_ejection_ms", "breaker_consecutive_failures", "breaker_open_ms",
            "breaker_half_open_requests", "health_check_path", "health_check_interval_ms", "health_check_timeout_ms",
            "health_check_healthy_threshold", "health_check_unhealthy_threshold");
    /** An HTTP field name (RFC 9110 token). */
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}");
    /** An absolute path of visible ASCII, query allowed. */
    private static final Pattern CHECK_PATH = Pattern.compile("/[\\x21-\\x7e]{0,199}");
    private static final Set<String> TARGET_FIELDS = Set.of("url", "weight");
    /** HTTP/1.1; HTTP/2 in cleartext (h2c) or over TLS (h2); gRPC over either. TLS is the targets' scheme. */
    private static final Set<String> PROTOCOLS = Set.of("http1", "h2c", "h2", "grpc");

    private final Database db;
    private final ChangeWriter writer;

    public Services(Database db, ChangeWriter writer) {
        this.db = db;
        this.writer = writer;
    }

    public Change<Service> create(DSLContext tx, Caller caller, String slug, ObjectNode body) {
        Tenant tenant = TenantScope.forAdmin(tx, caller.principal(), slug);
        Input in = Input.of(body, FIELDS);
        OffsetDateTime now = OffsetDateTime.now();
        Service s = read(in, new Service(Ids.newId(), tenant.id(), null, "other", "http1", List.of(), 2000, 30000, 0,
                1, now, now), true);
        ServiceStore store = new ServiceStore(tx);
        if (store.byName(tenant.id(), s.name()).isPresent()) {
            throw ProblemException.of(ProblemType.CONFLICT, "a service named '" + s.name() + "' already exists");
        }
        store.insert(s);
        return new Change<>(s, "service.create", tenant.id(), "service", s.id().toString(), null,
                ServiceViews.json(s));
    }

    public List<Service> page(Principal principal, String slug, UUID after, int limit) {
        Tenant tenant = TenantScope.forReader(db.dsl(), principal, slug);
        return new ServiceStore(db.dsl()).page(tenant.id(), after, limit);
    }

    public Service get(Principal principal, String slug, String ref) {
        Tenant tenant = TenantScope.forReader(db.dsl(), principal, slug);
        return find(new ServiceStore(db.dsl()), tenant.id(), ref).orElseThrow(() -> notFound(ref));
    }

    public Service update(Caller caller, String slug, String ref, ObjectNode body, IntConsumer ifMatch) {
        return writer.write(caller, tx -> update(tx, caller, slug, ref, body, ifMatch));
    }

    /** The update inside a caller's transaction (a declarative apply runs many in one). */
    public Change<Service> update(DSLContext tx, Caller caller, String slug, String ref, ObjectNode body,
                                  IntConsumer ifMatch) {
        Tenant tenant = TenantScope.forAdmin(tx, caller.principal(), slug);
        ServiceStore store = new ServiceStore(tx);
        Service current = find(store, tenant.id(), ref).orElseThrow(() -> notFound(ref));
        ifMatch.accept(current.rowVersion());
        Service next = read(Input.of(body, FIELDS), current, false);
        next = new Service(next.id(), next.tenantId(), next.name(), next.language(), next.protocol(),
                next.targets(), next.connectTimeoutMs(), next.readTimeoutMs(), next.retries(),
                current.rowVersion() + 1, current.createdAt(), OffsetDateTime.now(), next.resilience());
        if (!next.name().equals(current.name()) && store.byName(tenant.id(), next.name()).isPresent()) {
            throw ProblemException.of(ProblemType.CONFLICT, "a service named '" + next.name() + "' already exists");
        }
        if (!store.update(next, current.rowVersion())) {
            throw Api.stale();
        }
        return new Change<>(next, "service.update", tenant.id(), "service", current.id().toString(),
                ServiceViews.json(current), ServiceViews.json(next));
    }

    public void delete(Caller caller, String slug, String ref, IntConsumer ifMatch) {
        writer.write(caller, tx -> delete(tx, caller, slug, ref, ifMatch));
    }

    /** The delete inside a caller's transaction. */
    public Change<Service> delete(DSLContext tx, Caller caller, String slug, String ref, IntConsumer ifMatch) {
        Tenant tenant = TenantScope.forAdmin(tx, caller.principal(), slug);
        ServiceStore store = new ServiceStore(tx);
        Service current = find(store, tenant.id(), ref).orElseThrow(() -> notFound(ref));
        ifMatch.accept(current.rowVersion());
        if (store.hasRoutes(tenant.id(), current.id())) {
            throw ProblemException.of(ProblemType.CONFLICT,
                    "routes still send traffic to this service; delete or move them first");
        }
        if (!store.delete(tenant.id(), current.id(), current.rowVersion())) {
            throw Api.stale();
        }
        return new Change<>(current, "service.delete", tenant.id(), "service", current.id().toString(),
                ServiceViews.json(current), null);
    }

    /** By id, else by name, within the tenant. */
    public static Optional<Service> find(ServiceStore store, UUID tenantId, String ref) {
        return Refs.byIdOrName(ref, id -> store.byId(tenantId, id), name -> store.byName(tenantId, name));
    }

    /** Applies the fields present in {@code in} over {@code base}; on create the required ones must be there. */
    private static Service read(Input in, Service base, boolean creating) {
        String name = creating || in.has("name")
                ? in.string("name", true, 100, NAME, "must be letters, digits, '.', '_' or '-' (at most 100)")
                : base.name();
        String language = in.has("language")
                ? in.oneOf("language", true, Set.of("go", "rust", "other"), base.language()) : base.language();
        String protocol = in.has("protocol")
                ? in.oneOf("protocol", true, PROTOCOLS, base.protocol()) : base.protocol();
        List<Service.Target> targets = creating || in.has("targets")
                ? in.list("targets", true, 64, e -> target(e)) : base.targets();
        if (targets != null && targets.isEmpty() && (creating || in.has("targets"))) {
            in.error("targets", "must name at least one target");
        }
        schemes(in, protocol, targets);
        Integer connect = in.has("connect_timeout_ms")
                ? in.integer("connect_timeout_ms", true, 1, 600_000) : (Integer) base.connectTimeoutMs();
        Integer read = in.has("read_timeout_ms")
                ? in.integer("read_timeout_ms", true, 1, 3_600_000) : (Integer) base.readTimeoutMs();
        Integer retries = in.has("retries") ? in.integer("retries", true, 0, 10) : (Integer) base.retries();
        Service.Resilience resilience = resilience(in, base.resilience());
        in.validate();
        return new Service(base.id(), base.tenantId(), name, language, protocol, targets, connect, read, retries,
                base.rowVersion(), base.createdAt(), base.updatedAt(), resilience);
    }

    /**
     * The targets' schemes agree with each other and with the protocol: all http (plain TCP) or all https (TLS); h2
     * is HTTP/2 over TLS only, h2c HTTP/2 in cleartext only, http1 and grpc go either way. Reported against the
     * field the request changed (protocol first), since either may be what is wrong.
     */
    private static void schemes(Input in, String protocol, List<Service.Target> targets) {
        if (protocol == null || targets == null || targets.isEmpty()) {
            return;
        }
        boolean anyTls = targets.stream().anyMatch(t -> t.url().startsWith("https:"));
        boolean allTls = targets.stream().allMatch(t -> t.url().startsWith("https:"));
        if (anyTls != allTls) {
            in.error("targets", "must all be http or all be https: one service speaks TLS to all its targets or to "
                    + "none");
            return;
        }
        String field = in.has("protocol") ? "protocol" : "targets";
        if (protocol.equals("h2") && !allTls) {
            in.error(field, "protocol h2 is HTTP/2 over TLS and needs https targets (h2c is HTTP/2 over plain TCP)");
        } else if (protocol.equals("h2c") && anyTls) {
            in.error(field, "protocol h2c is HTTP/2 over plain TCP and needs http targets (h2 is HTTP/2 over TLS)");
        }
    }

    /** The resilience fields present in {@code in} over {@code base}; null when one of them is invalid. */
    private static Service.Resilience resilience(Input in, Service.Resilience base) {
        String policy = in.has("lb_policy") ? in.oneOf("lb_policy", true, Set.of(Service.Resilience.ROUND_ROBIN,
                Service.Resilience.LEAST_IN_FLIGHT, Service.Resilience.CONSISTENT_HASH), base.lbPolicy())
                : base.lbPolicy();
        String hashHeader = in.has("hash_header")
                ? in.string("hash_header", false, 100, HEADER_NAME, "must be an HTTP header name") : base.hashHeader();
        Integer outlierFailures = setting(in, "outlier_consecutive_failures", 0, 1000, base.outlierConsecutiveFailures());
        Integer ejection = setting(in, "outlier_base_ejection_ms", 1, 3_600_000, base.outlierBaseEjectionMs());
        Integer breakerFailures = setting(in, "breaker_consecutive_failures", 0, 1000, base.breakerConsecutiveFailures());
        Integer open = setting(in, "breaker_open_ms", 1, 3_600_000, base.breakerOpenMs());
        Integer trials = setting(in, "breaker_half_open_requests", 1, 1000, base.breakerHalfOpenRequests());
        String checkPath = in.has("health_check_path")
                ? in.string("health_check_path", false, 200, CHECK_PATH, "must be a path starting with '/'")
                : base.healthCheckPath();
        Integer interval = setting(in, "health_check_interval_ms", 100, 3_600_000, base.healthCheckIntervalMs());
        Integer timeout = setting(in, "health_check_timeout_ms", 1, 600_000, base.healthCheckTimeoutMs());
        Integer healthy = setting(in, "health_check_healthy_threshold", 1, 100, base.healthCheckHealthyThreshold());
        Integer unhealthy = setting(in, "health_check_unhealthy_threshold", 1, 100,
                base.healthCheckUnhealthyThreshold());
        if (policy == null || outlierFailures == null || ejection == null || breakerFailures == null || open == null
                || trials == null || interval == null || timeout == null || healthy == null || unhealthy == null) {
            return null;
        }
        if (timeout > interval && (in.has("health_check_timeout_ms") || in.has("health_check_interval_ms"))) {
            in.error("health_check_timeout_ms", "must not be longer than health_check_interval_ms");
        }
        return new Service.Resilience(policy, hashHeader, outlierFailures, ejection, breakerFailures, open, trials,
                checkPath, interval, timeout, healthy, unhealthy);
    }

    private static Integer setting(Input in, String field, int min, int max, int current) {
        return in.has(field) ? in.integer(field, true, min, max) : (Integer) current;
    }

    private static Service.Target target(Input.Element e) {
        Input t = e.object(TARGET_FIELDS);
        if (t == null) {
            return null;
        }
        String url = t.string("url", true, 2048, null, null);
        Integer weight = t.has("weight") ? t.integer("weight", true, 0, 1000) : (Integer) 1;
        if (url != null) {
            try {
                URI uri = new URI(url);
                // https: the nodes speak TLS to the target, verifying its certificate and host name
                boolean scheme = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
                if (!scheme || uri.getHost() == null
                        || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
                    t.error("url", "must be an http or https URL with a host, without query, fragment or "
                            + "credentials");
                    return null;
                }
                if (uri.getHost().endsWith(".")) {
                    // a fully qualified name with its root dot: TLS cannot send it as SNI (the nodes' handshake
                    // would refuse every request), and the name without the dot means the same host
                    t.error("url", "host must not end with '.' (write " + uri.getHost().replaceAll("\\.+$", "")
                            + ")");
                    return null;
                }
            } catch (URISyntaxException ex) {
                t.error("url", "is not a valid URL");
                return null;
            }
        }
        return url == null || weight == null ? null : new Service.Target(url, weight);
    }

    private static ProblemException notFound(String ref) {
        return ProblemException.of(ProblemType.NOT_FOUND, "no service '" + ref + "' in this tenant");
    }
}
