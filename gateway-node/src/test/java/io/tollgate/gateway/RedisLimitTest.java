package io.tollgate.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * With TOLLGATE_REDIS_URL, nodes share each bucket in Redis: two nodes together allow a tenant's burst exactly.
 * Needs Redis at TOLLGATE_TEST_REDIS_URL (default redis://127.0.0.1:6379); skipped when none answers there.
 */
class RedisLimitTest {
    private static final String REDIS = System.getenv().getOrDefault("TOLLGATE_TEST_REDIS_URL", "redis://127.0.0.1:6379");

    @TempDir
    Path dir;

    private static boolean redisAnswers() {
        URI uri = URI.create(REDIS);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort() == -1 ? 6379 : uri.getPort()), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void twoNodesWithRedisEnforceATenantsBurstExactly() throws IOException {
        assumeTrue(redisAnswers(), "no Redis at " + REDIS);
        try (Upstream upstream = Upstream.ok()) {
            var tenant = Seed.tenant().plan(1, 10);
            tenant.route(tenant.service(upstream.url()), "/exact", "none");
            long version = tenant.save();

            Map<String, String> withRedis = Map.of("TOLLGATE_REDIS_URL", REDIS);
            GatewayServer one = Gateways.start(dir.resolve("one.json"), withRedis);
            GatewayServer two = Gateways.start(dir.resolve("two.json"), withRedis);
            try {
                Gateways.awaitVersion(one, version);
                Gateways.awaitVersion(two, version);
                int allowed = 0;
                for (int i = 0; i < 8; i++) {
                    for (GatewayServer node : new GatewayServer[]{one, two}) {
                        RawHttp.Reply reply = RawHttp.get(node.port(), tenant.host, "/exact");
                        if (reply.status() == 200) {
                            allowed++;
                            // the whole burst, not a node's share
                            assertThat(reply.header("RateLimit-Limit")).isEqualTo("10");
                        } else {
                            assertThat(reply.status()).isEqualTo(429);
                            assertThat(reply.text()).contains("/problems/rate-limited");
                        }
                    }
                }
                // the burst of 10, plus at most the one token refilled (1/s) while the 16 requests ran
                assertThat(allowed).isBetween(10, 11);
                assertThat(upstream.seen).hasSize(allowed);
            } finally {
                one.stop();
                two.stop();
            }
        }
    }

    @Test
    void aNodeWhoseRedisDoesNotAnswerStillServesWithItsShare() throws IOException {
        try (Upstream upstream = Upstream.ok()) {
            var tenant = Seed.tenant().plan(100, 100);
            tenant.route(tenant.service(upstream.url()), "/fallback", "none");
            long version = tenant.save();

            GatewayServer gateway = Gateways.start(dir.resolve("snap.json"), Map.of("TOLLGATE_REDIS_URL",
                    "redis://127.0.0.1:1"));
            try {
                Gateways.awaitVersion(gateway, version);
                RawHttp.Reply reply = RawHttp.get(gateway.port(), tenant.host, "/fallback");
                assertThat(reply.status()).isEqualTo(200);
                assertThat(reply.header("RateLimit-Limit")).isNotNull();
            } finally {
                gateway.stop();
            }
        }
    }
}
