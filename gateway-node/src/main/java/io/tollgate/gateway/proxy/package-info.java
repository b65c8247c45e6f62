/**
 * The terminal step: {@link io.tollgate.gateway.proxy.ProxyFilter} forwards the exchange to one target of the
 * route's service over HTTP/1.1 spoken directly on pooled sockets ({@link io.tollgate.gateway.proxy.UpstreamConnection})
 * and streams the answer back. The raw path and raw query go out byte for byte; hop-by-hop headers are dropped
 * both ways. Which target, whether to retry, and
 * how long the request may take are decided with {@code io.tollgate.gateway.resilience} (retry budget, target
 * health, deadline) and the pool's load-balancing policy; docs/gateway-resilience.md has the rules.
 */
package io.tollgate.gateway.proxy;
