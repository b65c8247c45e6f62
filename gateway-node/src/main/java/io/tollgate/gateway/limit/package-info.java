/**
 * Limits: token buckets per tenant plan, per route and per key override ({@link
 * io.tollgate.gateway.limit.RateLimitFilter}), and the per-route request body cap ({@link
 * io.tollgate.gateway.limit.BodySizeFilter}). Without Redis each node enforces its share of a limit: the rate and
 * burst divided by the number of live nodes seen in the heartbeat table; with {@code TOLLGATE_REDIS_URL} the
 * buckets live in Redis ({@code RedisBuckets}) and the whole limit is exact across nodes. Daily and monthly
 * quotas are {@link io.tollgate.gateway.limit.QuotaFilter}'s.
 */
package io.tollgate.gateway.limit;
