package io.tollgate.admin.change;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.UUID;

/**
 * What a domain write did: its result for the caller, and the audit facts (action, target, before and after
 * with secrets already removed).
 */
public record Change<T>(T result, String action, UUID tenantId, String targetType, String targetId,
                        JsonNode before, JsonNode after) {
}
