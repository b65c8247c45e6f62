package io.tollgate.gateway.snapshot;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * An API key as the authenticator checks it. {@code secretSha256} is the SHA-256 of the secret (32 bytes),
 * decoded from the stored hex once when the snapshot is compiled, ready for a constant-time comparison with the
 * digest of what a request presents. {@code allowedRoutes} null means every route of the tenant.
 * A revocation in the future is a rotation overlap: the key still works until then. {@code quota} (null: none)
 * narrows the tenant's quota for this key, over the tenant's quota period.
 */
public record KeySpec(UUID id, UUID tenantId, String publicId, byte[] secretSha256, Set<UUID> allowedRoutes,
                      RateSpec rate, Long quota, Instant expiresAt, Instant revokedAt) {

    public boolean usableAt(Instant now) {
        return (expiresAt == null || now.isBefore(expiresAt)) && (revokedAt == null || now.isBefore(revokedAt));
    }

    public boolean allows(UUID routeId) {
        return allowedRoutes == null || allowedRoutes.contains(routeId);
    }
}
