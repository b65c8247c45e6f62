package io.tollgate.gateway.route;

import io.tollgate.common.problem.Problem;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.gateway.pipeline.Chain;
import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.Filter;
import io.tollgate.gateway.pipeline.Response;
import io.tollgate.gateway.snapshot.Snapshot;
import io.tollgate.gateway.snapshot.TenantPlan;

/**
 * Finds the route of the request in the request's snapshot, or ends it with 404 {@code no-route}. A request the event
 * loop serves comes with its route found already (in the same snapshot: io.tollgate.gateway.loop.ClientConnection).
 */
public final class RouteFilter implements Filter {

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        if (exchange.route() != null) {
            // the event loop matched it in this exchange's snapshot already, to decide where the request goes
            return chain.proceed(exchange);
        }
        Snapshot snapshot = exchange.snapshot();
        if (snapshot == null) {
            return Response.problem(Problem.of(ProblemType.UNAVAILABLE, "The gateway has no configuration loaded yet"));
        }
        RouteMatcher.Match match = snapshot.routes().match(exchange.host(), exchange.method(), exchange.rawPath());
        if (match == null) {
            return Response.problem(Problem.of(ProblemType.NO_ROUTE, null));
        }
        TenantPlan tenant = snapshot.tenants().get(match.route().tenantId());
        exchange.route(match.route(), match.prefix(), tenant);
        return chain.proceed(exchange);
    }
}
