package io.tollgate.gateway;

import io.tollgate.db.Database;
import io.tollgate.db.Ids;
import io.tollgate.db.model.ApiKey;
import io.tollgate.db.model.Route;
import io.tollgate.db.model.Service;
import io.tollgate.db.model.Tenant;
import io.tollgate.db.store.ApiKeyStore;
import io.tollgate.db.store.ConfigStateStore;
import io.tollgate.db.store.RouteStore;
import io.tollgate.db.store.ServiceStore;
import io.tollgate.db.store.TenantStore;
import io.tollgate.db.testing.TestDatabase;
import org.jooq.DSLContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Small builders that write config through the store classes, one transaction per save that also bumps the
 * config version (as the admin does). Every tenant gets its own slug and host, so tests never collide.
 */
final class Seed {
    private static Database database;

    private Seed() {
    }

    static synchronized Database database() {
        if (database == null) {
            database = Database.open(TestDatabase.settings(), "tollgate-test-seed");
        }
        return database;
    }

    static String unique(String prefix) {
        return prefix + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }

    /** Runs {@code change} and bumps the config version in one transaction; returns the new version. */
    static long change(Consumer<DSLContext> change) {
        return database().transaction(cfg -> {
            DSLContext dsl = cfg.dsl();
            change.accept(dsl);
            return new ConfigStateStore(dsl).bump();
        });
    }

    static TenantRows tenant() {
        return new TenantRows();
    }

    static final class TenantRows {
        final UUID id = Ids.newId();
        final String slug = unique("t");
        final String host = slug + ".example.test";
        String status = "active";
        int rate = 1000;
        int burst = 1000;
        Long quota;
        String quotaPeriod = "month";
        Tenant.Jwt jwt;
        final List<Service> services = new ArrayList<>();
        final List<Route> routes = new ArrayList<>();
        final List<ApiKey> keys = new ArrayList<>();

        TenantRows plan(int ratePerSecond, int burstSize) {
            this.rate = ratePerSecond;
            this.burst = burstSize;
            return this;
        }

        TenantRows quota(Long requests, String period) {
            this.quota = requests;
            this.quotaPeriod = period;
            return this;
        }

        TenantRows jwt(Tenant.Jwt settings) {
            this.jwt = settings;
            return this;
        }

        TenantRows suspended() {
            this.status = "suspended";
            return this;
        }

        Service service(String url) {
            return service(url, 2000, 30_000, 0);
        }

        Service service(String url, int connectTimeoutMs, int readTimeoutMs, int retries) {
            OffsetDateTime now = OffsetDateTime.now();
            Service s = new Service(Ids.newId(), id, unique("svc"), "go", "http1",
                    List.of(new Service.Target(url, 1)), connectTimeoutMs, readTimeoutMs, retries, 1, now, now);
            services.add(s);
            return s;
        }

        /** A service speaking {@code protocol} at {@code url} with the given resilience settings. */
        Service service(String url, String protocol, Service.Resilience resilience) {
            OffsetDateTime now = OffsetDateTime.now();
            Service s = new Service(Ids.newId(), id, unique("svc"), "go", protocol,
                    List.of(new Service.Target(url, 1)), 1000, 10_000, 0, 1, now, now, resilience);
            services.add(s);
            return s;
        }

        /** A service speaking {@code protocol} (http1, h2c or grpc) at {@code url}. */
        Service service(String url, String protocol, int readTimeoutMs, int retries) {
            return service(url, protocol, 1000, readTimeoutMs, retries);
        }

        /** A service speaking {@code protocol} at {@code url}, connecting (TCP and TLS) within the given time. */
        Service service(String url, String protocol, int connectTimeoutMs, int readTimeoutMs, int retries) {
            OffsetDateTime now = OffsetDateTime.now();
            Service s = new Service(Ids.newId(), id, unique("svc"), "go", protocol,
                    List.of(new Service.Target(url, 1)), connectTimeoutMs, readTimeoutMs, retries, 1, now, now);
            services.add(s);
            return s;
        }

        /** A route with a total deadline ({@code deadlineMs}, null for none) and, when given, a per-route rate. */
        Route route(Service service, String path, String auth, Integer deadlineMs, Integer ratePerSecond) {
            OffsetDateTime now = OffsetDateTime.now();
            Route r = new Route(Ids.newId(), id, service.id(), unique("route"), List.of(host), List.of(path), List.of(),
                    false, auth, ratePerSecond, ratePerSecond, null, false, List.of(), 1, now, now, deadlineMs);
            routes.add(r);
            return r;
        }

        /** A route for any Host (clients that set the Host from the URL, such as java.net.http's WebSocket). */
        Route routeAnyHost(Service service, String path, String auth, Integer ratePerSecond) {
            OffsetDateTime now = OffsetDateTime.now();
            Route r = new Route(Ids.newId(), id, service.id(), unique("route"), List.of(), List.of(path), List.of(),
                    false, auth, ratePerSecond, ratePerSecond, null, false, List.of(), 1, now, now, null);
            routes.add(r);
            return r;
        }

        Service service(List<Service.Target> targets, int retries) {
            OffsetDateTime now = OffsetDateTime.now();
            Service s = new Service(Ids.newId(), id, unique("svc"), "go", "http1", targets, 2000, 30_000, retries, 1,
                    now, now);
            services.add(s);
            return s;
        }

        /** A service over {@code urls} (weight 1 each) with the given resilience settings. */
        Service service(List<String> urls, int retries, int readTimeoutMs, Service.Resilience resilience) {
            return service(urls, "http1", retries, readTimeoutMs, resilience);
        }

        /** A service speaking {@code protocol} over {@code urls} (weight 1 each) with the given resilience settings. */
        Service service(List<String> urls, String protocol, int retries, int readTimeoutMs,
                        Service.Resilience resilience) {
            OffsetDateTime now = OffsetDateTime.now();
            Service s = new Service(Ids.newId(), id, unique("svc"), "go", protocol,
                    urls.stream().map(u -> new Service.Target(u, 1)).toList(), 1000, readTimeoutMs, retries, 1, now,
                    now, resilience);
            services.add(s);
            return s;
        }

        Route route(Service service, String path, String auth) {
            return route(service, path, auth, false, null);
        }

        Route route(Service service, String path, String auth, boolean stripPrefix, Long maxBodyBytes) {
            return route(service, path, auth, stripPrefix, maxBodyBytes, false, List.of());
        }

        Route route(Service service, String path, String auth, boolean stripPrefix, Long maxBodyBytes,
                    boolean passCredential, List<String> internalHeaders) {
            OffsetDateTime now = OffsetDateTime.now();
            Route r = new Route(Ids.newId(), id, service.id(), unique("route"), List.of(host), List.of(path), List.of(),
                    stripPrefix, auth, null, null, maxBodyBytes, passCredential, internalHeaders, 1, now, now);
            routes.add(r);
            return r;
        }

        /** A route on {@code path} with the given response cache settings. */
        Route cachedRoute(Service service, String path, String auth, Route.Cache cache) {
            Route r = route(service, path, auth).withCache(cache);
            routes.set(routes.size() - 1, r);
            return r;
        }

        /** A key as the client holds it; the rows keep only its SHA-256. */
        Key key() {
            return key(null, null, null);
        }

        Key key(List<UUID> allowedRoutes, OffsetDateTime expiresAt, Integer ratePerSecond) {
            return key(allowedRoutes, expiresAt, ratePerSecond, null);
        }

        Key keyWithQuota(long quota) {
            return key(null, null, null, quota);
        }

        Key key(List<UUID> allowedRoutes, OffsetDateTime expiresAt, Integer ratePerSecond, Long quota) {
            String publicId = Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
            String secret = "s3cr3t_" + UUID.randomUUID().toString().replace("-", "");
            OffsetDateTime now = OffsetDateTime.now();
            ApiKey row = new ApiKey(Ids.newId(), id, unique("key"), publicId, sha256Hex(secret), allowedRoutes,
                    ratePerSecond, ratePerSecond, quota, expiresAt, null, null, 1, now, now);
            keys.add(row);
            return new Key(row, "tg_" + publicId + "_" + secret);
        }

        /** Inserts the tenant and everything built for it, bumping the version; returns the new version. */
        long save() {
            return change(dsl -> {
                OffsetDateTime now = OffsetDateTime.now();
                new TenantStore(dsl).insert(new Tenant(id, slug, slug, status, new Tenant.Plan(rate, burst, quota, quotaPeriod), jwt,
                        1, now, now));
                services.forEach(new ServiceStore(dsl)::insert);
                routes.forEach(new RouteStore(dsl)::insert);
                keys.forEach(new ApiKeyStore(dsl)::insert);
            });
        }
    }

    record Key(ApiKey row, String plaintext) {
    }

    static String sha256Hex(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
