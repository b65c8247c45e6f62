package io.tollgate.db.model;

import java.time.OffsetDateTime;
import java.util.UUID;

public record Tenant(UUID id, String slug, String name, String status, Plan plan, int rowVersion,
                     OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    /** A tenant's limits: a rate with burst, and a quota per day or month (null quota: unlimited). */
    public record Plan(int ratePerSecond, int burst, Long quota, String quotaPeriod) {
    }

    public boolean active() {
        return "active".equals(status);
    }
}
