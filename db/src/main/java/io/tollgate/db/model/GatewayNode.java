package io.tollgate.db.model;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.OffsetDateTime;
import java.util.List;

public record GatewayNode(String id, String host, long appliedVersion, OffsetDateTime startedAt,
                          OffsetDateTime lastHeartbeat, List<Target> targets) {

    /** One upstream target as this node last saw it; {@code circuit} is closed, open or half-open. */
    public record Target(@JsonProperty("service_id") String serviceId, String service, String target,
                         boolean healthy, String circuit, boolean ejected,
                         @JsonProperty("failing_checks") boolean failingChecks) {
    }

    public GatewayNode {
        targets = targets == null ? List.of() : List.copyOf(targets);
    }

    public GatewayNode(String id, String host, long appliedVersion, OffsetDateTime startedAt,
                       OffsetDateTime lastHeartbeat) {
        this(id, host, appliedVersion, startedAt, lastHeartbeat, List.of());
    }
}
