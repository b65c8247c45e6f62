package io.tollgate.db.model;

import java.time.OffsetDateTime;
import java.util.UUID;

public record AdminUser(UUID id, String email, String passwordHash, String displayName, boolean disabled,
                        int rowVersion, OffsetDateTime createdAt, OffsetDateTime updatedAt) {
}
