package io.tollgate.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A route may pass the client's credential on, and may hide response headers it marks internal. */
class RouteFlagsTest {
    @TempDir
    Path dir;

    @Test
    void aRouteThatPassesTheCredentialForwardsItAndOthersStripIt() throws IOException {
        try (Upstream upstream = Upstream.ok()) {
            var tenant = Seed.tenant();
            var service = tenant.service(upstream.url());
            tenant.route(service, "/passing", "api-key", false, null, true, List.of());
            tenant.route(service, "/stripping", "api-key");
            Seed.Key key = tenant.key();
            long version = tenant.save();

            GatewayServer gateway = Gateways.start(dir.resolve("snap.json"), Map.of());
            try {
                Gateways.awaitVersion(gateway, version);
                assertThat(RawHttp.get(gateway.port(), tenant.host, "/passing", "X-API-Key", key.plaintext())
                        .status()).isEqualTo(200);
                assertThat(upstream.last().header("X-API-Key")).isEqualTo(key.plaintext());
                assertThat(RawHttp.get(gateway.port(), tenant.host, "/passing", "Authorization",
                        "Bearer " + key.plaintext()).status()).isEqualTo(200);
                assertThat(upstream.last().header("Authorization")).isEqualTo("Bearer " + key.plaintext());

                assertThat(RawHttp.get(gateway.port(), tenant.host, "/stripping", "X-API-Key", key.plaintext())
                        .status()).isEqualTo(200);
                assertThat(upstream.last().has("X-API-Key")).isFalse();
                assertThat(RawHttp.get(gateway.port(), tenant.host, "/stripping", "Authorization",
                        "Bearer " + key.plaintext()).status()).isEqualTo(200);
                assertThat(upstream.last().has("Authorization")).isFalse();
            } finally {
                gateway.stop();
            }
        }
    }

    @Test
    void headersARouteMarksInternalNeverReachTheClient() throws IOException {
        try (Upstream upstream = Upstream.answering(exchange -> {
            exchange.getResponseHeaders().add("X-Debug-Trace", "db=10.0.0.7 took 3ms");
            exchange.getResponseHeaders().add("X-Internal-Node", "pod-7");
            exchange.getResponseHeaders().add("X-Kept", "yes");
            Upstream.send(exchange, 200, "{}");
        })) {
            var tenant = Seed.tenant();
            var service = tenant.service(upstream.url());
            tenant.route(service, "/hiding", "none", false, null, false, List.of("x-debug-trace", "X-INTERNAL-NODE"));
            tenant.route(service, "/plain", "none");
            long version = tenant.save();

            GatewayServer gateway = Gateways.start(dir.resolve("snap.json"), Map.of());
            try {
                Gateways.awaitVersion(gateway, version);
                RawHttp.Reply hidden = RawHttp.get(gateway.port(), tenant.host, "/hiding");
                assertThat(hidden.status()).isEqualTo(200);
                assertThat(hidden.header("X-Debug-Trace")).isNull();
                assertThat(hidden.header("X-Internal-Node")).isNull();
                assertThat(hidden.header("X-Kept")).isEqualTo("yes");

                RawHttp.Reply plain = RawHttp.get(gateway.port(), tenant.host, "/plain");
                assertThat(plain.header("X-Debug-Trace")).isEqualTo("db=10.0.0.7 took 3ms");
            } finally {
                gateway.stop();
            }
        }
    }
}
