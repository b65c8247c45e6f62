package io.tollgate.gateway.snapshot;

import java.time.Duration;

/**
 * A route's response cache (docs/gateway-resilience.md, "Response cache"). {@code ttl}: freshness when the upstream
 * gives no {@code max-age} / {@code s-maxage}, and the most it may give. {@code perConsumer}: answers to
 * authenticated requests are cached per consumer (else never). {@code staleIfError}: how long past freshness a copy
 * may still stand in for a failed upstream. {@code generation}: moves with every purge; entries of an older one are
 * never served.
 */
public record CacheSpec(Duration ttl, boolean perConsumer, Duration staleIfError, long generation) {
}
