package io.tollgate.gateway.snapshot;

import java.util.UUID;

/**
 * What the pipeline needs of a tenant: whether it may be served, its plan's rate, and its quota ({@code quota}
 * null: unlimited) per {@code quotaPeriod}, {@code "day"} or {@code "month"} (UTC). Key quotas use the same period.
 * {@code jwt} is null when the tenant has no JWT settings.
 */
public record TenantPlan(UUID id, String slug, boolean active, RateSpec rate, Long quota, String quotaPeriod,
                         JwtSpec jwt) {
    public static final String PERIOD_DAY = "day";
    public static final String PERIOD_MONTH = "month";

    public boolean dailyQuota() {
        return PERIOD_DAY.equals(quotaPeriod);
    }
}
