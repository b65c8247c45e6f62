package io.tollgate.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Without Redis, two live nodes each enforce half of a tenant's burst, so together they allow the whole burst. */
class SharedLimitTest {
    @TempDir
    Path dir;

    private static final Map<String, String> FAST_HEARTBEAT = Map.of(
            "TOLLGATE_HEARTBEAT_MS", "200",
            "TOLLGATE_NODE_LIVE_MS", "1500");

    private static String limitSeenBy(GatewayServer gateway, Seed.TenantRows probe) {
        try {
            return RawHttp.get(gateway.port(), probe.host, "/probe").header("RateLimit-Limit");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void twoNodesShareATenantsBurst() throws IOException {
        try (Upstream upstream = Upstream.ok()) {
            // The probe tenant only shows which share each node applies; the tested tenant's tokens stay untouched.
            var probe = Seed.tenant().plan(1000, 1000);
            probe.route(probe.service(upstream.url()), "/probe", "none");
            var tenant = Seed.tenant().plan(1, 10);
            tenant.route(tenant.service(upstream.url()), "/shared", "none");
            probe.save();
            long version = tenant.save();

            GatewayServer one = Gateways.start(dir.resolve("one.json"), FAST_HEARTBEAT);
            GatewayServer two = Gateways.start(dir.resolve("two.json"), FAST_HEARTBEAT);
            try {
                Gateways.awaitVersion(one, version);
                Gateways.awaitVersion(two, version);
                // Nodes stopped by earlier tests drop out of the 1.5 s window; then both see exactly two.
                Gateways.await("both nodes applying half the burst",
                        () -> "500".equals(limitSeenBy(one, probe)) && "500".equals(limitSeenBy(two, probe)));

                int allowed = 0;
                for (GatewayServer node : new GatewayServer[]{one, two}) {
                    for (int i = 0; i < 8; i++) {
                        RawHttp.Reply reply = RawHttp.get(node.port(), tenant.host, "/shared");
                        if (reply.status() == 200) {
                            allowed++;
                            assertThat(reply.header("RateLimit-Limit")).isEqualTo("5");
                        } else {
                            assertThat(reply.status()).isEqualTo(429);
                        }
                    }
                }

                // 5 per node; a token refilled during the run (1 per 2 s per node) may add one or two.
                assertThat(allowed).isBetween(10, 12);
            } finally {
                one.stop();
                two.stop();
            }
        }
    }
}
