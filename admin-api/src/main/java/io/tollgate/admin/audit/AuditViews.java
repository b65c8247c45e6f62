package io.tollgate.admin.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.common.json.Json;
import io.tollgate.db.model.AuditEvent;

/** The JSON shape of an audit event, including its chain fields. */
public final class AuditViews {
    private AuditViews() {
    }

    public static ObjectNode json(AuditEvent e) {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("id", e.id());
        node.put("occurred_at", e.occurredAt().toInstant().toString());
        node.put("actor_type", e.actorType());
        node.put("actor_id", e.actorId());
        node.put("actor_name", e.actorName());
        node.put("tenant_id", e.tenantId() == null ? null : e.tenantId().toString());
        node.put("action", e.action());
        node.put("target_type", e.targetType());
        node.put("target_id", e.targetId());
        node.set("before", e.before());
        node.set("after", e.after());
        node.put("client_ip", e.clientIp());
        node.put("request_id", e.requestId());
        node.put("prev_hash", e.prevHash());
        node.put("hash", e.hash());
        return node;
    }
}
