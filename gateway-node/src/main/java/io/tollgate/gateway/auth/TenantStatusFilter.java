package io.tollgate.gateway.auth;

import io.tollgate.common.problem.Problem;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.gateway.pipeline.Chain;
import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.Filter;
import io.tollgate.gateway.pipeline.Response;

/** Refuses every route of a suspended tenant (403), whatever the credential. */
public final class TenantStatusFilter implements Filter {

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        if (exchange.tenant() == null || !exchange.tenant().active()) {
            return Response.problem(Problem.of(ProblemType.FORBIDDEN, "The tenant of this route is suspended"));
        }
        return chain.proceed(exchange);
    }
}
