/**
 * The request pipeline: one {@link io.tollgate.gateway.pipeline.Exchange} passed through one ordered list of
 * {@link io.tollgate.gateway.pipeline.Filter}s, in the style of OkHttp's interceptor chain. A filter ends the
 * exchange by returning a {@link io.tollgate.gateway.pipeline.Response} (often a problem), or continues with
 * {@code chain.proceed(exchange)}; the forwarding step is last and never proceeds. No Helidon types here: the
 * one HTTP boundary ({@code io.tollgate.gateway.http}) converts to and from the wire.
 *
 * <pre>
 *  client ─► http.GatewayHandler ─► Pipeline
 *              RequestIdFilter   keep or mint X-Request-Id / traceparent
 *              RecordFilter      outermost after the id: sees every outcome; access log, metrics, usage
 *                                rollups and denied-request aggregates on completion
 *              RouteFilter       host + longest path prefix + method ─► 404 no-route
 *              ApiKeyAuthenticator  api-key routes ─► 401 / 403; strips the credential
 *              JwtAuthenticator     jwt routes: HS256/RS256 bearer tokens ─► 401; strips the token
 *              TenantStatusFilter   suspended tenant ─► 403
 *              RateLimitFilter   tenant plan / key override buckets ─► 429 + RateLimit-* headers
 *              QuotaFilter       tenant / key daily or monthly quota ─► 429 quota-exceeded; counts admissions
 *              BodySizeFilter    route max body ─► 413
 *              CacheFilter       cache-enabled routes: GET/HEAD from the node's cache (X-Cache HIT/MISS/STALE/BYPASS)
 *              ProxyFilter       pick target, forward, stream back ─► 502 / 504
 *  client ◄─ http.GatewayHandler writes the Response (or the problem as application/problem+json)
 * </pre>
 */
package io.tollgate.gateway.pipeline;
