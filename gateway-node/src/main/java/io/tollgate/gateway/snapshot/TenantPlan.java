package io.tollgate.gateway.snapshot;

import java.util.UUID;

/** What the pipeline needs of a tenant: whether it may be served, and its plan's rate. */
public record TenantPlan(UUID id, String slug, boolean active, RateSpec rate) {
}
