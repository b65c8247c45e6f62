package io.tollgate.gateway.snapshot;

import java.time.Duration;

/**
 * A service's compiled resilience settings (docs/gateway-resilience.md). A failure count of 0 turns outlier
 * ejection or the breaker off; {@code healthCheck} is null when the service has no active checks.
 */
public record ResilienceSpec(LbPolicy lbPolicy, String hashHeader, int outlierConsecutiveFailures,
                             Duration outlierBaseEjection, int breakerConsecutiveFailures, Duration breakerOpen,
                             int breakerHalfOpenRequests, HealthCheck healthCheck) {

    /** How a target is picked. */
    public enum LbPolicy {
        ROUND_ROBIN, LEAST_IN_FLIGHT, CONSISTENT_HASH;

        static LbPolicy of(String value) {
            return switch (value) {
                case "round-robin" -> ROUND_ROBIN;
                case "least-in-flight" -> LEAST_IN_FLIGHT;
                case "consistent-hash" -> CONSISTENT_HASH;
                default -> throw new IllegalArgumentException("unknown lb_policy " + value);
            };
        }
    }

    /** Active checks: GET {@code path} on every target each {@code interval}. */
    public record HealthCheck(String path, Duration interval, Duration timeout, int healthyThreshold,
                              int unhealthyThreshold) {
    }

    /** The defaults of migration V20: round robin, ejection and breaker after 5 failures, no active checks. */
    public static final ResilienceSpec DEFAULTS = new ResilienceSpec(LbPolicy.ROUND_ROBIN, null, 5,
            Duration.ofSeconds(30), 5, Duration.ofSeconds(10), 1, null);
}
