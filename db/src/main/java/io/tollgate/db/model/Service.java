package io.tollgate.db.model;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

public record Service(UUID id, UUID tenantId, String name, String language, String protocol, List<Target> targets,
                      int connectTimeoutMs, int readTimeoutMs, int retries, int rowVersion,
                      OffsetDateTime createdAt, OffsetDateTime updatedAt, Resilience resilience) {

    public record Target(String url, int weight) {
    }

    /**
     * How gateway nodes pick and protect this service's targets (docs/gateway-resilience.md). {@code hashHeader}
     * is null to hash on the caller's API key; {@code healthCheckPath} null means no active health checks.
     */
    public record Resilience(String lbPolicy, String hashHeader, int outlierConsecutiveFailures,
                             int outlierBaseEjectionMs, int breakerConsecutiveFailures, int breakerOpenMs,
                             int breakerHalfOpenRequests, String healthCheckPath, int healthCheckIntervalMs,
                             int healthCheckTimeoutMs, int healthCheckHealthyThreshold,
                             int healthCheckUnhealthyThreshold) {
        public static final String ROUND_ROBIN = "round-robin";
        public static final String LEAST_IN_FLIGHT = "least-in-flight";
        public static final String CONSISTENT_HASH = "consistent-hash";
        /** The column defaults of migration V20. */
        public static final Resilience DEFAULTS = new Resilience(ROUND_ROBIN, null, 5, 30_000, 5, 10_000, 1, null,
                10_000, 2_000, 2, 3);
    }

    public Service {
        targets = List.copyOf(targets);
        resilience = resilience == null ? Resilience.DEFAULTS : resilience;
    }

    /** A service with the default resilience settings. */
    public Service(UUID id, UUID tenantId, String name, String language, String protocol, List<Target> targets,
                   int connectTimeoutMs, int readTimeoutMs, int retries, int rowVersion,
                   OffsetDateTime createdAt, OffsetDateTime updatedAt) {
        this(id, tenantId, name, language, protocol, targets, connectTimeoutMs, readTimeoutMs, retries, rowVersion,
                createdAt, updatedAt, Resilience.DEFAULTS);
    }

    public Service withResilience(Resilience next) {
        return new Service(id, tenantId, name, language, protocol, targets, connectTimeoutMs, readTimeoutMs, retries,
                rowVersion, createdAt, updatedAt, next);
    }
}
