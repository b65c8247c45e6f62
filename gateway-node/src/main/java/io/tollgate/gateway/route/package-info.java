/**
 * Route matching: the compiled {@link io.tollgate.gateway.route.RouteMatcher} (host, then longest path prefix
 * on segment boundaries, then method) and the filter that ends a request with {@code no-route} when nothing
 * matches. A lookup costs a few hash probes per path segment, whatever the number of routes.
 */
package io.tollgate.gateway.route;
