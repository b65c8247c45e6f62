package io.tollgate.gateway.limit;

import io.github.bucket4j.ConsumptionProbe;
import io.tollgate.common.problem.Problem;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.gateway.pipeline.Chain;
import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.Filter;
import io.tollgate.gateway.pipeline.HttpFields;
import io.tollgate.gateway.pipeline.Response;
import io.tollgate.gateway.snapshot.RateSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Takes one token from every bucket that applies: the tenant's plan, the route's own limit and the key's override
 * (a key narrows, it never widens). If any bucket is empty the request ends with 429 {@code rate-limited} and
 * {@code Retry-After}, and the tokens already taken are given back. Every response of a limited route carries
 * {@code RateLimit-Limit/-Remaining/-Reset} of the tightest bucket. Values are this node's share.
 */
public final class RateLimitFilter implements Filter {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final LocalBuckets buckets = new LocalBuckets();
    private final ClusterShare share;

    public RateLimitFilter(ClusterShare share) {
        this.share = share;
    }

    private record Taken(LocalBuckets.Sized bucket, ConsumptionProbe probe) {
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        int nodes = share.liveNodes();
        List<Taken> taken = new ArrayList<>(3);
        Taken tightest = null;
        for (Limit limit : limitsOf(exchange)) {
            LocalBuckets.Sized bucket = buckets.bucket(limit.scope(), limit.id(), limit.spec(), nodes);
            ConsumptionProbe probe = bucket.bucket().tryConsumeAndReturnRemaining(1);
            if (!probe.isConsumed()) {
                taken.forEach(t -> t.bucket().bucket().addTokens(1));
                long retryAfter = Math.max(1, ceilSeconds(probe.getNanosToWaitForRefill()));
                writeHeaders(exchange.responseHeaders(), bucket.capacity(), 0, probe.getNanosToWaitForReset());
                return Response.problem(Problem.of(ProblemType.RATE_LIMITED, "Rate limit reached; retry later")
                        .withHeader("Retry-After", Long.toString(retryAfter)));
            }
            Taken now = new Taken(bucket, probe);
            taken.add(now);
            if (tightest == null || probe.getRemainingTokens() < tightest.probe().getRemainingTokens()) {
                tightest = now;
            }
        }
        if (tightest != null) {
            writeHeaders(exchange.responseHeaders(), tightest.bucket().capacity(),
                    tightest.probe().getRemainingTokens(), tightest.probe().getNanosToWaitForReset());
        }
        return chain.proceed(exchange);
    }

    private record Limit(LocalBuckets.Scope scope, UUID id, RateSpec spec) {
    }

    private static List<Limit> limitsOf(Exchange exchange) {
        List<Limit> limits = new ArrayList<>(3);
        if (exchange.tenant() != null) {
            limits.add(new Limit(LocalBuckets.Scope.TENANT, exchange.tenant().id(), exchange.tenant().rate()));
        }
        if (exchange.route().rate() != null) {
            limits.add(new Limit(LocalBuckets.Scope.ROUTE, exchange.route().id(), exchange.route().rate()));
        }
        if (exchange.key() != null && exchange.key().rate() != null) {
            limits.add(new Limit(LocalBuckets.Scope.KEY, exchange.key().id(), exchange.key().rate()));
        }
        return limits;
    }

    private static void writeHeaders(HttpFields headers, long limit, long remaining, long nanosToReset) {
        headers.set("RateLimit-Limit", Long.toString(limit));
        headers.set("RateLimit-Remaining", Long.toString(Math.max(0, remaining)));
        headers.set("RateLimit-Reset", Long.toString(ceilSeconds(nanosToReset)));
    }

    private static long ceilSeconds(long nanos) {
        return nanos <= 0 ? 0 : (nanos + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND;
    }
}
