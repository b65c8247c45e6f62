package io.tollgate.gateway;

import io.tollgate.db.store.UsageStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Requests of matched routes are counted per tenant, route and minute, and flushed to usage_rollups. */
class UsageRollupTest {
    @TempDir
    Path dir;

    private static final Map<String, String> FAST_FLUSH = Map.of("TOLLGATE_USAGE_FLUSH_MS", "100");

    private static List<UsageStore.Rollup> rollups(Seed.TenantRows tenant) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        return new UsageStore(Seed.database().dsl()).rollups(tenant.id, now.minusDays(1), now.plusDays(1));
    }

    private static long requests(Seed.TenantRows tenant) {
        return rollups(tenant).stream().mapToLong(UsageStore.Rollup::requests).sum();
    }

    @Test
    void requestsAreRolledUpPerRouteWithErrorCountsAndLatencyBuckets() throws IOException {
        try (Upstream upstream = Upstream.answering(exchange ->
                Upstream.send(exchange, exchange.getRequestURI().getPath().endsWith("/fail") ? 503 : 200, "{}"))) {
            var tenant = Seed.tenant();
            var service = tenant.service(upstream.url());
            var open = tenant.route(service, "/open", "none");
            var keyed = tenant.route(service, "/keyed", "api-key");
            long version = tenant.save();
            TestClock clock = TestClock.inCurrentMinute(20);

            GatewayServer gateway = Gateways.start(dir.resolve("snap.json"), FAST_FLUSH, clock);
            try {
                Gateways.awaitVersion(gateway, version);
                for (int i = 0; i < 3; i++) {
                    assertThat(RawHttp.get(gateway.port(), tenant.host, "/open/ok").status()).isEqualTo(200);
                }
                for (int i = 0; i < 2; i++) {
                    assertThat(RawHttp.get(gateway.port(), tenant.host, "/open/fail").status()).isEqualTo(503);
                }
                for (int i = 0; i < 4; i++) {
                    assertThat(RawHttp.get(gateway.port(), tenant.host, "/keyed/x").status()).isEqualTo(401);
                }
                assertThat(RawHttp.get(gateway.port(), "unknown.example.test", "/open/ok").status()).isEqualTo(404);

                // written while serving, by the periodic flush
                Gateways.await("9 requests in usage_rollups", () -> requests(tenant) == 9);
            } finally {
                gateway.stop();
            }

            List<UsageStore.Rollup> rows = rollups(tenant);
            assertThat(rows).extracting(UsageStore.Rollup::minute)
                    .containsOnly(OffsetDateTime.ofInstant(clock.instant().minusSeconds(20), ZoneOffset.UTC));
            UsageStore.Rollup openRow = rows.stream().filter(r -> r.routeId().equals(open.id())).findFirst().orElseThrow();
            assertThat(openRow.requests()).isEqualTo(5);
            assertThat(openRow.errors4xx()).isZero();
            assertThat(openRow.errors5xx()).isEqualTo(2);
            assertThat(openRow.latencyBuckets()).hasSize(12);
            assertThat(openRow.latencyBuckets().stream().mapToLong(Long::longValue).sum()).isEqualTo(5);
            UsageStore.Rollup keyedRow = rows.stream().filter(r -> r.routeId().equals(keyed.id())).findFirst().orElseThrow();
            assertThat(keyedRow.requests()).isEqualTo(4);
            assertThat(keyedRow.errors4xx()).isEqualTo(4);
            assertThat(keyedRow.errors5xx()).isZero();
        }
    }

    @Test
    void twoNodesAddTheirCountsToTheSameMinute() throws IOException {
        try (Upstream upstream = Upstream.ok()) {
            var tenant = Seed.tenant();
            tenant.route(tenant.service(upstream.url()), "/shared", "none");
            long version = tenant.save();
            TestClock clock = TestClock.inCurrentMinute(5);
            // a long interval: each node writes once more when it stops, adding to the row the other wrote
            Map<String, String> slowFlush = Map.of("TOLLGATE_USAGE_FLUSH_MS", "600000");

            GatewayServer one = Gateways.start(dir.resolve("one.json"), slowFlush, clock);
            GatewayServer two = Gateways.start(dir.resolve("two.json"), slowFlush, clock);
            try {
                Gateways.awaitVersion(one, version);
                Gateways.awaitVersion(two, version);
                for (int i = 0; i < 3; i++) {
                    assertThat(RawHttp.get(one.port(), tenant.host, "/shared").status()).isEqualTo(200);
                }
                one.stop();
                assertThat(requests(tenant)).isEqualTo(3);
                for (int i = 0; i < 4; i++) {
                    assertThat(RawHttp.get(two.port(), tenant.host, "/shared").status()).isEqualTo(200);
                }
            } finally {
                two.stop();
            }

            List<UsageStore.Rollup> rows = rollups(tenant);
            assertThat(rows).hasSize(1);
            assertThat(rows.getFirst().requests()).isEqualTo(7);
            assertThat(rows.getFirst().latencyBuckets().stream().mapToLong(Long::longValue).sum()).isEqualTo(7);
        }
    }

    @Test
    void aNewMinuteGetsARowOfItsOwn() throws IOException {
        try (Upstream upstream = Upstream.ok()) {
            var tenant = Seed.tenant();
            tenant.route(tenant.service(upstream.url()), "/m", "none");
            long version = tenant.save();
            TestClock clock = TestClock.inCurrentMinute(30);

            GatewayServer gateway = Gateways.start(dir.resolve("snap.json"), FAST_FLUSH, clock);
            try {
                Gateways.awaitVersion(gateway, version);
                assertThat(RawHttp.get(gateway.port(), tenant.host, "/m").status()).isEqualTo(200);
                clock.advance(Duration.ofMinutes(1));
                assertThat(RawHttp.get(gateway.port(), tenant.host, "/m").status()).isEqualTo(200);
                assertThat(RawHttp.get(gateway.port(), tenant.host, "/m").status()).isEqualTo(200);
            } finally {
                gateway.stop();
            }

            assertThat(rollups(tenant)).extracting(UsageStore.Rollup::requests).containsExactly(1L, 2L);
        }
    }
}
