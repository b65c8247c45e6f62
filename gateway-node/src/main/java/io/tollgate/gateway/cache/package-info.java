/**
 * The response cache (docs/gateway-resilience.md, "Response cache"): opt-in per route, GET and HEAD only, held in
 * memory by each node and bounded by bytes. {@link io.tollgate.gateway.cache.CacheFilter} sits just before the
 * proxy, after authentication and limits, so a cached answer still counts against the caller's rate limit and
 * quota and is only ever served to a caller the route admits.
 *
 * <pre>
 *  request ─► CacheFilter ─ not GET/HEAD, Range, or authenticated without per-consumer caching ─► BYPASS ─► proxy
 *                │ key: tenant, route, purge generation, method, host, path, sorted query, consumer?,
 *                │      and the request's values of the headers the upstream's Vary named
 *                ├─ fresh copy ─────────────────────────────► HIT   (Age)
 *                └─ proxy ─┬─ 502/503/504, unreachable, timeout, and a copy within stale-if-error ─► STALE
 *                          └─ otherwise ─► MISS; stored when cacheable (status, Cache-Control, Set-Cookie,
 *                                          Vary, size), the body copied as it streams to the client
 * </pre>
 */
package io.tollgate.gateway.cache;
