package io.tollgate.gateway.limit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.bucket4j.redis.lettuce.cas.LettuceBasedProxyManager;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.tollgate.gateway.snapshot.RateSpec;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Buckets kept in Redis through Bucket4j's Lettuce backend (compare-and-swap), shared by every node: the limit is
 * the whole rate and burst, exact across the cluster. A bucket's Redis key names its spec, so a changed limit
 * starts a new, full bucket (as local buckets do); keys expire once a bucket would be full again. Token
 * arithmetic uses each node's clock, so nodes' clocks should agree (NTP).
 */
final class RedisBuckets implements AutoCloseable {
    private static final String PREFIX = "tollgate:rate:";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);

    private final RedisClient client;
    private final StatefulRedisConnection<byte[], byte[]> connection;
    private final LettuceBasedProxyManager<byte[]> proxies;
    private final ConcurrentHashMap<String, LocalBuckets.Sized> buckets = new ConcurrentHashMap<>();

    private RedisBuckets(RedisClient client, StatefulRedisConnection<byte[], byte[]> connection) {
        this.client = client;
        this.connection = connection;
        this.proxies = Bucket4jLettuce.casBasedBuilder(connection)
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                        Duration.ofSeconds(10)))
                .build();
    }

    /** Connects to {@code url} ({@code redis://host:port[/db]}); throws when Redis does not answer. */
    static RedisBuckets connect(String url) {
        RedisURI uri = RedisURI.create(url);
        // a request waits at most this long for Redis before the node falls back to its share
        uri.setTimeout(COMMAND_TIMEOUT);
        RedisClient client = RedisClient.create(uri);
        try {
            return new RedisBuckets(client, client.connect(ByteArrayCodec.INSTANCE));
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
    }

    /** The cluster-wide bucket; {@code nodes} is ignored (the whole limit is shared, not divided). */
    LocalBuckets.Sized bucket(LocalBuckets.Scope scope, UUID id, RateSpec spec, int nodes) {
        String key = PREFIX + scope.name().toLowerCase(java.util.Locale.ROOT) + ":" + id + ":" + spec.perSecond()
                + ":" + spec.burst();
        return buckets.computeIfAbsent(key, k -> new LocalBuckets.Sized(spec, 1, spec.burst(),
                proxies.builder().build(k.getBytes(StandardCharsets.UTF_8), () -> configuration(spec))));
    }

    private static BucketConfiguration configuration(RateSpec spec) {
        return BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(spec.burst())
                        .refillGreedy(spec.perSecond(), Duration.ofSeconds(1)).build())
                .build();
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
