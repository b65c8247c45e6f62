package io.tollgate.db.model;

import java.time.OffsetDateTime;
import java.util.UUID;

/** An operator automation token; the signed JWT is not stored, only what is needed to check and revoke it. */
public record ApiToken(UUID id, String name, String role, UUID tenantId, UUID createdBy, OffsetDateTime expiresAt,
                       OffsetDateTime revokedAt, OffsetDateTime createdAt) {
}
