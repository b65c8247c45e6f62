package io.tollgate.gateway.limit;

import io.tollgate.common.problem.Problem;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.gateway.pipeline.Chain;
import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.Filter;
import io.tollgate.gateway.pipeline.Response;
import io.tollgate.gateway.usage.QuotaLedger;

/**
 * Counts the request against its tenant's quota and its key's (a key's quota narrows the tenant's, over the
 * tenant's period), or ends it with 429 {@code quota-exceeded} and a {@code Retry-After} of the seconds until the
 * period ends. It runs after the rate limits, so a request refused by a rate limit spends no quota. Every admitted
 * request is counted, with or without a quota, for {@code quota_usage}.
 */
public final class QuotaFilter implements Filter {
    private final QuotaLedger ledger;

    public QuotaFilter(QuotaLedger ledger) {
        this.ledger = ledger;
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        QuotaLedger.Refusal refusal = ledger.admit(exchange.tenant(), exchange.key());
        if (refusal != null) {
            String detail = refusal.keyQuota() ? "The API key's quota for this period is spent"
                    : "The quota for this period is spent";
            return Response.problem(Problem.of(ProblemType.QUOTA_EXCEEDED, detail)
                    .withHeader("Retry-After", Long.toString(refusal.retryAfterSeconds())));
        }
        return chain.proceed(exchange);
    }
}
