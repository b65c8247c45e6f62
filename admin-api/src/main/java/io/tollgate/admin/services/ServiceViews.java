package io.tollgate.admin.services;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.common.json.Json;
import io.tollgate.db.model.Service;

/** The JSON shape of an upstream service. */
public final class ServiceViews {
    private ServiceViews() {
    }

    public static ObjectNode json(Service s) {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("id", s.id().toString());
        node.put("tenant_id", s.tenantId().toString());
        node.put("name", s.name());
        node.put("language", s.language());
        node.put("protocol", s.protocol());
        var targets = node.putArray("targets");
        s.targets().forEach(t -> targets.addObject().put("url", t.url()).put("weight", t.weight()));
        node.put("connect_timeout_ms", s.connectTimeoutMs());
        node.put("read_timeout_ms", s.readTimeoutMs());
        node.put("retries", s.retries());
        Service.Resilience r = s.resilience();
        node.put("lb_policy", r.lbPolicy());
        node.put("hash_header", r.hashHeader());
        node.put("outlier_consecutive_failures", r.outlierConsecutiveFailures());
        node.put("outlier_base_ejection_ms", r.outlierBaseEjectionMs());
        node.put("breaker_consecutive_failures", r.breakerConsecutiveFailures());
        node.put("breaker_open_ms", r.breakerOpenMs());
        node.put("breaker_half_open_requests", r.breakerHalfOpenRequests());
        node.put("health_check_path", r.healthCheckPath());
        node.put("health_check_interval_ms", r.healthCheckIntervalMs());
        node.put("health_check_timeout_ms", r.healthCheckTimeoutMs());
        node.put("health_check_healthy_threshold", r.healthCheckHealthyThreshold());
        node.put("health_check_unhealthy_threshold", r.healthCheckUnhealthyThreshold());
        node.put("created_at", s.createdAt().toInstant().toString());
        node.put("updated_at", s.updatedAt().toInstant().toString());
        return node;
    }
}
