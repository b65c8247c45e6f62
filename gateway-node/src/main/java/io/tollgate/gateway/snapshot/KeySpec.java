package io.tollgate.gateway.snapshot;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * An API key as the authenticator checks it. {@code secretSha256Hex} is the stored lowercase hex digest as
 * ASCII bytes, ready for a constant-time comparison. {@code allowedRoutes} null means every route of the tenant.
 * A revocation in the future is a rotation overlap: the key still works until then. {@code quota} (null: none)
 * narrows the tenant's quota for this key, over the tenant's quota period.
 */
public record KeySpec(UUID id, UUID tenantId, String publicId, byte[] secretSha256Hex, Set<UUID> allowedRoutes,
                      RateSpec rate, Long quota, Instant expiresAt, Instant revokedAt) {

    public boolean usableAt(Instant now) {
        return (expiresAt == null || now.isBefore(expiresAt)) && (revokedAt == null || now.isBefore(revokedAt));
    }

    public boolean allows(UUID routeId) {
        return allowedRoutes == null || allowedRoutes.contains(routeId);
    }
}
