package io.tollgate.db.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.common.json.Json;
import io.tollgate.db.model.AuditEvent;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The audit hash chain: {@code hash = SHA-256(prev_hash || canonical(event))}. The canonical form is JSON with
 * a fixed field order, object keys sorted at every depth and instants in UTC with microseconds, so it can be
 * recomputed from a database row or an exported line alike.
 */
public final class AuditChain {
    public static final String GENESIS = "0".repeat(64);
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

    private AuditChain() {
    }

    public static String hash(String prevHash, AuditEvent e) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(prevHash.getBytes(StandardCharsets.US_ASCII));
            sha.update(canonical(e).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is part of every JDK", ex);
        }
    }

    public static String canonical(AuditEvent e) {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("occurred_at", MICROS.format(e.occurredAt().withOffsetSameInstant(ZoneOffset.UTC)));
        node.put("actor_type", e.actorType());
        node.put("actor_id", e.actorId());
        node.put("actor_name", e.actorName());
        node.put("tenant_id", e.tenantId() == null ? null : e.tenantId().toString());
        node.put("action", e.action());
        node.put("target_type", e.targetType());
        node.put("target_id", e.targetId());
        node.set("before", sorted(e.before()));
        node.set("after", sorted(e.after()));
        node.put("client_ip", e.clientIp());
        node.put("request_id", e.requestId());
        return node.toString();
    }

    private static JsonNode sorted(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isObject()) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(node.properties());
            fields.sort(Map.Entry.comparingByKey());
            ObjectNode out = Json.mapper().createObjectNode();
            for (Map.Entry<String, JsonNode> f : fields) {
                out.set(f.getKey(), sorted(f.getValue()));
            }
            return out;
        }
        if (node.isArray()) {
            var out = Json.mapper().createArrayNode();
            node.forEach(item -> out.add(sorted(item)));
            return out;
        }
        return node;
    }
}
