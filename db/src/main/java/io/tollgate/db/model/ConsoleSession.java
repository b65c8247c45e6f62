package io.tollgate.db.model;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A console browser session, found by the SHA-256 of its cookie secret; the secret itself is never stored. */
public record ConsoleSession(String idSha256, UUID userId, OffsetDateTime createdAt, OffsetDateTime lastSeenAt,
                             OffsetDateTime expiresAt) {
}
