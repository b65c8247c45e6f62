package io.tollgate.console.tenant;

import io.tollgate.admin.AdminContext;
import io.tollgate.admin.routes.Routes;
import io.tollgate.console.web.Visit;

import java.net.URI;

/** "Try this route": one request through a gateway node, with status, headers and latency shown. */
final class TryRoute {
    private final AdminContext ctx;
    private final Routes routes;
    private final URI gatewayUrl;

    TryRoute(AdminContext ctx, Routes routes, URI gatewayUrl) {
        this.ctx = ctx;
        this.routes = routes;
        this.gatewayUrl = gatewayUrl;
    }

    void form(Visit v) {
        throw io.tollgate.common.problem.ProblemException.of(io.tollgate.common.problem.ProblemType.NOT_FOUND,
                "not yet");
    }

    void send(Visit v) {
        form(v);
    }
}
