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

    /** Tenant, route, key: the order buckets are taken from. */
    private static final LocalBuckets.Scope[] SCOPES = LocalBuckets.Scope.values();

    private final LocalBuckets buckets = new LocalBuckets();
    /** The two sources of buckets, made once rather than as method references per request. */
    private final Source local = buckets::bucket;
    private final Source cluster;
    private final ClusterShare share;
    private final RedisBuckets redis;
    private volatile boolean redisFailing;
    private volatile long redisRetryAt;

    /** Each node enforces its share of every limit. */
    public RateLimitFilter(ClusterShare share) {
        this.share = share;
        this.redis = null;
        this.cluster = null;
    }

    private RateLimitFilter(ClusterShare share, RedisBuckets redis) {
        this.share = share;
        this.redis = redis;
        this.cluster = redis::bucket;
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
                refused = take(exchange, cluster, 1);
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
                refused = take(exchange, local, share.liveNodes());
            }
        } else {
            refused = take(exchange, local, share.liveNodes());
        }
        return refused != null ? refused : chain.proceed(exchange);
    }

    /** Takes a token from every bucket that applies; returns the 429 when one is empty, else null. */
    private static Response take(Exchange exchange, Source source, int nodes) {
        // one bucket per scope at most: the ones a token came from, given back when a later one is empty
        LocalBuckets.Sized[] taken = new LocalBuckets.Sized[SCOPES.length];
        LocalBuckets.Sized tightest = null;
        ConsumptionProbe tightestProbe = null;
        for (int s = 0; s < SCOPES.length; s++) {
            LocalBuckets.Scope scope = SCOPES[s];
            if (!limits(exchange, scope)) {
                continue;
            }
            LocalBuckets.Sized bucket = source.bucket(scope, limitedId(exchange, scope), limit(exchange, scope),
                    nodes);
            ConsumptionProbe probe = bucket.bucket().tryConsumeAndReturnRemaining(1);
            if (!probe.isConsumed()) {
                for (LocalBuckets.Sized earlier : taken) {
                    if (earlier != null) {
                        earlier.bucket().addTokens(1);
                    }
                }
                long retryAfter = Math.max(1, ceilSeconds(probe.getNanosToWaitForRefill()));
                writeHeaders(exchange.responseHeaders(), bucket.capacity(), 0, probe.getNanosToWaitForReset());
                return Response.problem(Problem.of(ProblemType.RATE_LIMITED, "Rate limit reached; retry later")
                        .withHeader("Retry-After", Long.toString(retryAfter)));
            }
            taken[s] = bucket;
            if (tightest == null || probe.getRemainingTokens() < tightestProbe.getRemainingTokens()) {
                tightest = bucket;
                tightestProbe = probe;
            }
        }
        if (tightest != null) {
            writeHeaders(exchange.responseHeaders(), tightest.capacity(), tightestProbe.getRemainingTokens(),
                    tightestProbe.getNanosToWaitForReset());
        }
        return null;
    }

    @Override
    public void close() {
        if (redis != null) {
            redis.close();
        }
    }

    /** Whether the exchange has a limit of {@code scope}: always its tenant's, a route's or key's own if set. */
    private static boolean limits(Exchange exchange, LocalBuckets.Scope scope) {
        return switch (scope) {
            case TENANT -> exchange.tenant() != null;
            case ROUTE -> exchange.route().rate() != null;
            case KEY -> exchange.key() != null && exchange.key().rate() != null;
        };
    }

    private static UUID limitedId(Exchange exchange, LocalBuckets.Scope scope) {
        return switch (scope) {
            case TENANT -> exchange.tenant().id();
            case ROUTE -> exchange.route().id();
            case KEY -> exchange.key().id();
        };
    }

    private static RateSpec limit(Exchange exchange, LocalBuckets.Scope scope) {
        return switch (scope) {
            case TENANT -> exchange.tenant().rate();
            case ROUTE -> exchange.route().rate();
            case KEY -> exchange.key().rate();
        };
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
