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
 * {@code RateLimit-Limit/-Remaining/-Reset} of the tightest bucket. Without Redis the values are this node's
 * share; with {@code TOLLGATE_REDIS_URL} the buckets live in Redis and are the whole, exact limit.
 */
public final class RateLimitFilter implements Filter, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RateLimitFilter.class.getName());
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** After Redis failed, requests use local shares without asking Redis for this long, then one tries again. */
    private static final long REDIS_RETRY_NANOS = 5 * NANOS_PER_SECOND;

    private final LocalBuckets buckets = new LocalBuckets();
    private final ClusterShare share;
    private final RedisBuckets redis;
    private volatile boolean redisFailing;
    private volatile long redisRetryAt;

    /** Each node enforces its share of every limit. */
    public RateLimitFilter(ClusterShare share) {
        this.share = share;
        this.redis = null;
    }

    private RateLimitFilter(ClusterShare share, RedisBuckets redis) {
        this.share = share;
        this.redis = redis;
    }

    /**
     * Limits exact across nodes, kept in Redis at {@code redisUrl}. When Redis cannot be reached now (or later, for
     * a request), the node falls back to enforcing its share, as without Redis, and says so in the log.
     */
    public static RateLimitFilter withRedis(ClusterShare share, String redisUrl) {
        try {
            return new RateLimitFilter(share, RedisBuckets.connect(redisUrl));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Redis at the configured TOLLGATE_REDIS_URL does not answer ("
                    + e.getClass().getSimpleName() + "); enforcing this node's share of each limit instead");
            return new RateLimitFilter(share);
        }
    }

    private record Taken(LocalBuckets.Sized bucket, ConsumptionProbe probe) {
    }

    /** Where the buckets of one request come from: Redis, or this node's memory. */
    @FunctionalInterface
    private interface Source {
        LocalBuckets.Sized bucket(LocalBuckets.Scope scope, UUID id, RateSpec spec, int nodes);
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        Response refused;
        if (redis != null && (!redisFailing || System.nanoTime() - redisRetryAt >= 0)) {
            try {
                refused = take(exchange, redis::bucket, 1);
                if (redisFailing) {
                    redisFailing = false;
                    LOG.log(System.Logger.Level.INFO, "Redis answers again; limits are exact across nodes");
                }
            } catch (RuntimeException e) {
                // not one timeout per request while Redis is away: local shares for a while, then try again
                redisRetryAt = System.nanoTime() + REDIS_RETRY_NANOS;
                if (!redisFailing) {
                    redisFailing = true;
                    LOG.log(System.Logger.Level.WARNING, "Redis failed (" + e.getClass().getSimpleName()
                            + "); enforcing this node's share of each limit until it answers");
                }
                refused = take(exchange, buckets::bucket, share.liveNodes());
            }
        } else {
            refused = take(exchange, buckets::bucket, share.liveNodes());
        }
        return refused != null ? refused : chain.proceed(exchange);
    }

    /** Takes a token from every bucket that applies; returns the 429 when one is empty, else null. */
    private static Response take(Exchange exchange, Source source, int nodes) {
        List<Taken> taken = new ArrayList<>(3);
        Taken tightest = null;
        for (Limit limit : limitsOf(exchange)) {
            LocalBuckets.Sized bucket = source.bucket(limit.scope(), limit.id(), limit.spec(), nodes);
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
        return null;
    }

    @Override
    public void close() {
        if (redis != null) {
            redis.close();
        }
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
