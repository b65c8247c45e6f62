package io.tollgate.db.model;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.OffsetDateTime;
import java.util.UUID;

/** One audit event. before/after are JSON with secrets removed; id and hashes are set by the store. */
public record AuditEvent(Long id, OffsetDateTime occurredAt, String actorType, String actorId, String actorName,
                         UUID tenantId, String action, String targetType, String targetId, JsonNode before,
                         JsonNode after, String clientIp, String requestId, String prevHash, String hash) {
}
