package io.tollgate.gateway.snapshot;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import io.tollgate.common.keys.RsaPublicKeys;
import io.tollgate.db.model.ApiKey;
import io.tollgate.db.model.Route;
import io.tollgate.db.model.Service;
import io.tollgate.db.model.Tenant;
import io.tollgate.db.snapshot.ConfigSnapshot;
import io.tollgate.gateway.route.RouteMatcher;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Turns the rows of one config version into a {@link Snapshot}, or throws {@link IllegalArgumentException}
 * saying what is wrong. Everything the request path needs is decided here: hosts lower-cased, methods
 * upper-cased, target URLs parsed, digests prepared for constant-time comparison.
 */
final class SnapshotCompiler {
    private static final System.Logger LOG = System.getLogger(SnapshotCompiler.class.getName());
    private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-f]{64}");

    private SnapshotCompiler() {
    }

    static Snapshot compile(ConfigSnapshot config) {
        Map<UUID, TenantPlan> tenants = new HashMap<>();
        for (Tenant t : config.tenants()) {
            tenants.put(t.id(), new TenantPlan(t.id(), t.slug(), t.active(),
                    new RateSpec(t.plan().ratePerSecond(), t.plan().burst()), t.plan().quota(),
                    t.plan().quotaPeriod() == null ? TenantPlan.PERIOD_MONTH : t.plan().quotaPeriod(),
                    t.jwt() == null ? null : jwt(t)));
        }
        Map<UUID, UpstreamPool> pools = new HashMap<>();
        Map<UUID, UUID> serviceTenant = new HashMap<>();
        for (Service s : config.services()) {
            List<UpstreamPool.Target> targets = new ArrayList<>();
            for (Service.Target t : s.targets()) {
                try {
                    targets.add(UpstreamPool.target(t.url(), t.weight()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("service " + s.id() + ": " + e.getMessage(), e);
                }
            }
            pools.put(s.id(), new UpstreamPool(s.id(), s.name(), targets, Duration.ofMillis(s.connectTimeoutMs()),
                    Duration.ofMillis(s.readTimeoutMs()), s.retries(), resilience(s),
                    UpstreamPool.Protocol.of(s.protocol())));
            serviceTenant.put(s.id(), s.tenantId());
        }
        List<RouteSpec> routes = new ArrayList<>();
        for (Route r : config.routes()) {
            UpstreamPool pool = pools.get(r.serviceId());
            if (pool == null || !r.tenantId().equals(serviceTenant.get(r.serviceId()))) {
                throw new IllegalArgumentException("route " + r.id() + " points at a service of no or another tenant");
            }
            if (!tenants.containsKey(r.tenantId())) {
                throw new IllegalArgumentException("route " + r.id() + " has no tenant");
            }
            routes.add(new RouteSpec(r.id(), r.tenantId(), r.name(),
                    r.hosts().stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).toList(),
                    r.paths(),
                    Set.copyOf(r.methods().stream().map(m -> m.trim().toUpperCase(Locale.ROOT)).toList()),
                    r.stripPrefix(), r.auth(), rate(r.ratePerSecond(), r.burst()), r.maxBodyBytes(),
                    r.passCredential(),
                    Set.copyOf(r.internalHeaders().stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).toList()),
                    pool, r.deadlineMs() == null ? null : Duration.ofMillis(r.deadlineMs()), cache(r.cache())));
        }
        Map<String, KeySpec> keys = new HashMap<>();
        for (ApiKey k : config.apiKeys()) {
            String digest = k.secretSha256() == null ? "" : k.secretSha256().toLowerCase(Locale.ROOT);
            if (!HEX_SHA256.matcher(digest).matches()) {
                throw new IllegalArgumentException("api key " + k.id() + " has no valid SHA-256 digest");
            }
            keys.put(k.publicId(), new KeySpec(k.id(), k.tenantId(), k.publicId(),
                    HexFormat.of().parseHex(digest),
                    k.allowedRoutes() == null ? null : Set.copyOf(new LinkedHashSet<>(k.allowedRoutes())),
                    rate(k.ratePerSecond(), k.burst()), k.quota(), instant(k.expiresAt()), instant(k.revokedAt())));
        }
        return new Snapshot(config.version(), RouteMatcher.compile(routes), keys, tenants,
                List.copyOf(pools.values()));
    }

    private static CacheSpec cache(Route.Cache c) {
        if (!c.enabled()) {
            return null;
        }
        return new CacheSpec(Duration.ofSeconds(c.ttlSeconds()), c.perConsumer(),
                Duration.ofSeconds(c.staleIfErrorSeconds()), c.purgeGeneration());
    }

    private static ResilienceSpec resilience(Service s) {
        Service.Resilience r = s.resilience();
        ResilienceSpec.HealthCheck check = r.healthCheckPath() == null ? null : new ResilienceSpec.HealthCheck(
                r.healthCheckPath(), Duration.ofMillis(r.healthCheckIntervalMs()),
                Duration.ofMillis(r.healthCheckTimeoutMs()), r.healthCheckHealthyThreshold(),
                r.healthCheckUnhealthyThreshold());
        try {
            return new ResilienceSpec(ResilienceSpec.LbPolicy.of(r.lbPolicy()), r.hashHeader(),
                    r.outlierConsecutiveFailures(), Duration.ofMillis(r.outlierBaseEjectionMs()),
                    r.breakerConsecutiveFailures(), Duration.ofMillis(r.breakerOpenMs()),
                    Math.max(1, r.breakerHalfOpenRequests()), check);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("service " + s.id() + ": " + e.getMessage(), e);
        }
    }

    /**
     * A parser for the tenant's tokens. Settings that do not compile (the admin API validates, so only a hand-edited
     * row) close the tenant's jwt routes rather than reject the whole config version for every tenant.
     */
    private static JwtSpec jwt(Tenant t) {
        Tenant.Jwt jwt = t.jwt();
        try {
            var parser = Jwts.parser()
                    .requireIssuer(jwt.issuer())
                    .requireAudience(jwt.audience())
                    .clockSkewSeconds(jwt.clockSkewSeconds());
            if (jwt.hs256Secret() != null) {
                parser.verifyWith(Keys.hmacShaKeyFor(jwt.hs256Secret().getBytes(StandardCharsets.UTF_8)));
            } else {
                parser.verifyWith(RsaPublicKeys.fromPem(jwt.rs256PublicKeyPem()));
            }
            return new JwtSpec(jwt.algorithm(), parser.build());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "tenant " + t.slug() + ": JWT settings do not compile ("
                    + e.getClass().getSimpleName() + "); its jwt routes refuse every token");
            return new JwtSpec(jwt.algorithm(), null);
        }
    }

    /** A rate when a rate is set; a burst alone is ignored, a rate alone gets a burst of one second's worth. */
    private static RateSpec rate(Integer perSecond, Integer burst) {
        if (perSecond == null) {
            return null;
        }
        return new RateSpec(perSecond, burst == null ? perSecond : burst);
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }
}
