package io.tollgate.db.model;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

public record Service(UUID id, UUID tenantId, String name, String language, String protocol, List<Target> targets,
                      int connectTimeoutMs, int readTimeoutMs, int retries, int rowVersion,
                      OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    public record Target(String url, int weight) {
    }

    public Service {
        targets = List.copyOf(targets);
    }
}
