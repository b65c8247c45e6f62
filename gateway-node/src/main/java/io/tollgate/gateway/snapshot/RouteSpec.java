package io.tollgate.gateway.snapshot;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * A compiled route. {@code methods} are upper case, empty for any; {@code hosts} lower case without port, empty
 * for any. {@code rate}, {@code maxBodyBytes} and {@code deadline} (total time across retries) are null when the
 * route sets none. {@code passCredential}: forward the client's credential instead of removing it.
 * {@code internalHeaders}: lower-case names of upstream response headers removed before the client sees the answer.
 * {@code cache}: the response cache settings, null when the route does not cache.
 */
public record RouteSpec(UUID id, UUID tenantId, String name, List<String> hosts, List<String> paths,
                        Set<String> methods, boolean stripPrefix, String auth, RateSpec rate, Long maxBodyBytes,
                        boolean passCredential, Set<String> internalHeaders, UpstreamPool upstream,
                        Duration deadline, CacheSpec cache) {

    /** A route that does not cache. */
    public RouteSpec(UUID id, UUID tenantId, String name, List<String> hosts, List<String> paths, Set<String> methods,
                     boolean stripPrefix, String auth, RateSpec rate, Long maxBodyBytes, boolean passCredential,
                     Set<String> internalHeaders, UpstreamPool upstream, Duration deadline) {
        this(id, tenantId, name, hosts, paths, methods, stripPrefix, auth, rate, maxBodyBytes, passCredential,
                internalHeaders, upstream, deadline, null);
    }

    public static final String AUTH_API_KEY = "api-key";
    public static final String AUTH_JWT = "jwt";
    public static final String AUTH_NONE = "none";

    /** A route without a total deadline. */
    public RouteSpec(UUID id, UUID tenantId, String name, List<String> hosts, List<String> paths, Set<String> methods,
                     boolean stripPrefix, String auth, RateSpec rate, Long maxBodyBytes, boolean passCredential,
                     Set<String> internalHeaders, UpstreamPool upstream) {
        this(id, tenantId, name, hosts, paths, methods, stripPrefix, auth, rate, maxBodyBytes, passCredential,
                internalHeaders, upstream, null);
    }

    /** A route that strips the credential and no response headers. */
    public RouteSpec(UUID id, UUID tenantId, String name, List<String> hosts, List<String> paths, Set<String> methods,
                     boolean stripPrefix, String auth, RateSpec rate, Long maxBodyBytes, UpstreamPool upstream,
                     Duration deadline) {
        this(id, tenantId, name, hosts, paths, methods, stripPrefix, auth, rate, maxBodyBytes, false, Set.of(),
                upstream, deadline);
    }

    public boolean allowsMethod(String method) {
        return methods.isEmpty() || methods.contains(method);
    }
}
