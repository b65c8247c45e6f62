/**
 * The terminal step: {@link io.tollgate.gateway.proxy.ProxyFilter} forwards the exchange to one target of the
 * route's service with Helidon WebClient and streams the answer back. The raw path and raw query go out byte
 * for byte (WebClient would re-encode {@code %2F} and regroup query parameters, so the request target is handed
 * to it pre-built as a raw path); hop-by-hop headers are dropped both ways.
 */
package io.tollgate.gateway.proxy;
