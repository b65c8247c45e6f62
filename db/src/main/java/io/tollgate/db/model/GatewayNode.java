package io.tollgate.db.model;

import java.time.OffsetDateTime;

public record GatewayNode(String id, String host, long appliedVersion, OffsetDateTime startedAt,
                          OffsetDateTime lastHeartbeat) {
}
