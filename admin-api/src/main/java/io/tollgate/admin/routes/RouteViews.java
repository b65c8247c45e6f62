package io.tollgate.admin.routes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.common.json.Json;
import io.tollgate.db.model.Route;

/** The JSON shape of a route. */
public final class RouteViews {
    private RouteViews() {
    }

    public static ObjectNode json(Route r) {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("id", r.id().toString());
        node.put("tenant_id", r.tenantId().toString());
        node.put("name", r.name());
        node.put("service_id", r.serviceId().toString());
        var hosts = node.putArray("hosts");
        r.hosts().forEach(hosts::add);
        var paths = node.putArray("paths");
        r.paths().forEach(paths::add);
        var methods = node.putArray("methods");
        r.methods().forEach(methods::add);
        node.put("strip_prefix", r.stripPrefix());
        node.put("auth", r.auth());
        putNullable(node, "rate_per_second", r.ratePerSecond() == null ? null : r.ratePerSecond().longValue());
        putNullable(node, "burst", r.burst() == null ? null : r.burst().longValue());
        putNullable(node, "max_body_bytes", r.maxBodyBytes());
        node.put("pass_credential", r.passCredential());
        var internal = node.putArray("internal_headers");
        r.internalHeaders().forEach(internal::add);
        putNullable(node, "deadline_ms", r.deadlineMs() == null ? null : r.deadlineMs().longValue());
        node.put("cache_enabled", r.cache().enabled());
        node.put("cache_ttl_seconds", r.cache().ttlSeconds());
        node.put("cache_per_consumer", r.cache().perConsumer());
        node.put("cache_stale_if_error_seconds", r.cache().staleIfErrorSeconds());
        node.put("created_at", r.createdAt().toInstant().toString());
        node.put("updated_at", r.updatedAt().toInstant().toString());
        return node;
    }

    private static void putNullable(ObjectNode node, String field, Long value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }
}
