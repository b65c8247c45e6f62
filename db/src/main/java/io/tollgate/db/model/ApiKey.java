package io.tollgate.db.model;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** allowedRoutes null: every route of the tenant. secretSha256 is hex; the secret itself is never stored. */
public record ApiKey(UUID id, UUID tenantId, String name, String publicId, String secretSha256,
                     List<UUID> allowedRoutes, Integer ratePerSecond, Integer burst, Long quota,
                     OffsetDateTime expiresAt, OffsetDateTime revokedAt, OffsetDateTime lastUsedAt,
                     int rowVersion, OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    public ApiKey {
        allowedRoutes = allowedRoutes == null ? null : List.copyOf(allowedRoutes);
    }
}
