/**
 * The terminal step: {@link io.tollgate.gateway.proxy.ProxyFilter} forwards the exchange to one target of the
 * route's service with Helidon WebClient and streams the answer back. The raw path and raw query go out byte
 * for byte (WebClient would re-encode {@code %2F} and regroup query parameters, so the request target is handed
 * to it pre-built as a raw path); hop-by-hop headers are dropped both ways. Which target, whether to retry, and
 * how long the request may take are decided with {@code io.tollgate.gateway.resilience} (retry budget, target
 * health, deadline) and the pool's load-balancing policy; docs/gateway-resilience.md has the rules.
 */
package io.tollgate.gateway.proxy;
