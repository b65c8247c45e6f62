package io.tollgate.gateway.resilience;

import io.tollgate.gateway.snapshot.UpstreamPool;

import java.time.Duration;

/**
 * An active health check over HTTP/2, for services whose protocol is {@code h2c} or {@code grpc}: their targets may
 * not speak HTTP/1.1 at all. Implemented in the proxy package, next to the HTTP/2 connections it uses.
 */
public interface Http2Probe extends AutoCloseable {
    /** A probe for services that have none: every check fails. */
    Http2Probe NONE = (target, path, grpc, timeout) -> false;

    /**
     * @param path the service's health_check_path; for gRPC the method to call, normally
     *             {@code /grpc.health.v1.Health/Check}
     * @param grpc true for a gRPC health check (passes on grpc-status 0 and SERVING), false for GET (2xx or 3xx)
     */
    boolean passes(UpstreamPool.Target target, String path, boolean grpc, Duration timeout);

    /** Closes the connections the probe holds. */
    @Override
    default void close() {
    }
}
