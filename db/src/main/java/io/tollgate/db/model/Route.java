package io.tollgate.db.model;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * Empty hosts match any host; empty methods match any method. {@code passCredential}: the gateway forwards the
 * client's credential instead of removing it. {@code internalHeaders}: lower-case names of upstream response
 * headers the gateway removes (null reads as none, for snapshot files written before the field existed).
 * {@code deadlineMs}: the total time for a request across retries (null: none beyond the service's timeouts).
 * {@code cache}: the response cache settings (null reads as {@link Cache#OFF}, for snapshot files written before
 * the field existed).
 */
public record Route(UUID id, UUID tenantId, UUID serviceId, String name, List<String> hosts, List<String> paths,
                    List<String> methods, boolean stripPrefix, String auth, Integer ratePerSecond, Integer burst,
                    Long maxBodyBytes, boolean passCredential, List<String> internalHeaders, int rowVersion,
                    OffsetDateTime createdAt, OffsetDateTime updatedAt, Integer deadlineMs, Cache cache) {

    /**
     * The route's response cache (migration V23, docs/gateway-resilience.md). {@code ttlSeconds} is the freshness
     * when the upstream says nothing and the cap when it says more; {@code purgeGeneration} moves with each purge.
     */
    public record Cache(boolean enabled, int ttlSeconds, boolean perConsumer, int staleIfErrorSeconds,
                        long purgeGeneration) {
        /** The column defaults of migration V23: caching off. */
        public static final Cache OFF = new Cache(false, 60, false, 0, 0);
    }

    public Route {
        hosts = List.copyOf(hosts);
        paths = List.copyOf(paths);
        methods = List.copyOf(methods);
        internalHeaders = internalHeaders == null ? List.of() : List.copyOf(internalHeaders);
        cache = cache == null ? Cache.OFF : cache;
    }

    /** A route without response caching. */
    public Route(UUID id, UUID tenantId, UUID serviceId, String name, List<String> hosts, List<String> paths,
                 List<String> methods, boolean stripPrefix, String auth, Integer ratePerSecond, Integer burst,
                 Long maxBodyBytes, boolean passCredential, List<String> internalHeaders, int rowVersion,
                 OffsetDateTime createdAt, OffsetDateTime updatedAt, Integer deadlineMs) {
        this(id, tenantId, serviceId, name, hosts, paths, methods, stripPrefix, auth, ratePerSecond, burst,
                maxBodyBytes, passCredential, internalHeaders, rowVersion, createdAt, updatedAt, deadlineMs,
                Cache.OFF);
    }

    public Route withCache(Cache next) {
        return new Route(id, tenantId, serviceId, name, hosts, paths, methods, stripPrefix, auth, ratePerSecond, burst,
                maxBodyBytes, passCredential, internalHeaders, rowVersion, createdAt, updatedAt, deadlineMs, next);
    }

    /** A route without a total deadline. */
    public Route(UUID id, UUID tenantId, UUID serviceId, String name, List<String> hosts, List<String> paths,
                 List<String> methods, boolean stripPrefix, String auth, Integer ratePerSecond, Integer burst,
                 Long maxBodyBytes, boolean passCredential, List<String> internalHeaders, int rowVersion,
                 OffsetDateTime createdAt, OffsetDateTime updatedAt) {
        this(id, tenantId, serviceId, name, hosts, paths, methods, stripPrefix, auth, ratePerSecond, burst,
                maxBodyBytes, passCredential, internalHeaders, rowVersion, createdAt, updatedAt, null);
    }

    /** A route that strips the credential and no response headers, with the given deadline. */
    public Route(UUID id, UUID tenantId, UUID serviceId, String name, List<String> hosts, List<String> paths,
                 List<String> methods, boolean stripPrefix, String auth, Integer ratePerSecond, Integer burst,
                 Long maxBodyBytes, int rowVersion, OffsetDateTime createdAt, OffsetDateTime updatedAt,
                 Integer deadlineMs) {
        this(id, tenantId, serviceId, name, hosts, paths, methods, stripPrefix, auth, ratePerSecond, burst,
                maxBodyBytes, false, List.of(), rowVersion, createdAt, updatedAt, deadlineMs);
    }

    /** A route with none of the optional behaviours. */
    public Route(UUID id, UUID tenantId, UUID serviceId, String name, List<String> hosts, List<String> paths,
                 List<String> methods, boolean stripPrefix, String auth, Integer ratePerSecond, Integer burst,
                 Long maxBodyBytes, int rowVersion, OffsetDateTime createdAt, OffsetDateTime updatedAt) {
        this(id, tenantId, serviceId, name, hosts, paths, methods, stripPrefix, auth, ratePerSecond, burst,
                maxBodyBytes, false, List.of(), rowVersion, createdAt, updatedAt, null);
    }
}
