package io.tollgate.admin.keys;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.common.json.Json;
import io.tollgate.db.model.ApiKey;

import java.time.OffsetDateTime;

/** The JSON shape of an API key: never the secret or its hash. */
public final class KeyViews {
    private KeyViews() {
    }

    public static ObjectNode json(ApiKey k) {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("id", k.id().toString());
        node.put("tenant_id", k.tenantId().toString());
        node.put("name", k.name());
        node.put("public_id", k.publicId());
        node.put("status", status(k));
        if (k.allowedRoutes() == null) {
            node.putNull("allowed_routes");
        } else {
            var routes = node.putArray("allowed_routes");
            k.allowedRoutes().forEach(id -> routes.add(id.toString()));
        }
        nullable(node, "rate_per_second", k.ratePerSecond() == null ? null : k.ratePerSecond().longValue());
        nullable(node, "burst", k.burst() == null ? null : k.burst().longValue());
        nullable(node, "quota", k.quota());
        instant(node, "expires_at", k.expiresAt());
        instant(node, "revoked_at", k.revokedAt());
        instant(node, "last_used_at", k.lastUsedAt());
        node.put("created_at", k.createdAt().toInstant().toString());
        node.put("updated_at", k.updatedAt().toInstant().toString());
        return node;
    }

    static String status(ApiKey k) {
        if (k.revokedAt() != null) {
            return "revoked";
        }
        if (k.expiresAt() != null && !k.expiresAt().isAfter(OffsetDateTime.now())) {
            return "expired";
        }
        return "active";
    }

    private static void nullable(ObjectNode node, String field, Long value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }

    private static void instant(ObjectNode node, String field, OffsetDateTime value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value.toInstant().toString());
        }
    }
}
