package io.tollgate.db.model;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A role held by a user; tenantId is null for platform-wide roles. */
public record RoleGrant(UUID id, UUID userId, String role, UUID tenantId, OffsetDateTime createdAt) {
}
