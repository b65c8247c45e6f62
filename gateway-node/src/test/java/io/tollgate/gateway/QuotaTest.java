package io.tollgate.gateway;

import io.tollgate.db.store.UsageStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Daily and monthly quotas of tenants and keys, enforced from stored usage plus the node's unflushed counts. */
class QuotaTest {
    @TempDir
    Path dir;

    /** Flushes only when a node stops, so what a node knows comes from its start-up read and its own counts. */
    private static final Map<String, String> FLUSH_ON_STOP = Map.of("TOLLGATE_USAGE_FLUSH_MS", "600000");

    private static void assertQuotaExceeded(RawHttp.Reply reply, String detail) {
        assertThat(reply.status()).isEqualTo(429);
        assertThat(reply.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(reply.text()).contains("/problems/quota-exceeded").contains(detail);
        assertThat(Long.parseLong(reply.header("Retry-After"))).isPositive();
    }

    @Test
    void aTenantsDailyQuotaIsSpentThenRefusedUntilTheNextDay() throws IOException {
        try (Upstream upstream = Upstream.ok()) {
            var tenant = Seed.tenant().quota(3L, "day");
            tenant.route(tenant.service(upstream.url()), "/q", "none");
            long version = tenant.save();
            TestClock clock = TestClock.inCurrentMinute(0);

            GatewayServer gateway = Gateways.start(dir.resolve("snap.json"), FLUSH_ON_STOP, clock);
            try {
                Gateways.awaitVersion(gateway, version);
                for (int i = 0; i < 3; i++) {
                    assertThat(RawHttp.get(gateway.port(), tenant.host, "/q").status()).isEqualTo(200);
                }
                RawHttp.Reply refused = RawHttp.get(gateway.port(), tenant.host, "/q");
                assertQuotaExceeded(refused, "The quota for this period is spent");
                assertThat(Long.parseLong(refused.header("Retry-After"))).isLessThanOrEqualTo(86_400);
                assertThat(upstream.seen).hasSize(3);

                clock.advance(Duration.ofDays(1));
                assertThat(RawHttp.get(gateway.port(), tenant.host, "/q").status()).isEqualTo(200);
            } finally {
                gateway.stop();
            }
        }
    }

    @Test
    void aNodeCountsWhatOtherNodesStored() throws IOException {
        try (Upstream upstream = Upstream.ok()) {
            var tenant = Seed.tenant().quota(5L, "month");
            tenant.route(tenant.service(upstream.url()), "/q", "none");
            long version = tenant.save();
            TestClock clock = TestClock.inCurrentMinute(0);

            GatewayServer one = Gateways.start(dir.resolve("one.json"), FLUSH_ON_STOP, clock);
            try {
                Gateways.awaitVersion(one, version);
                for (int i = 0; i < 3; i++) {
                    assertThat(RawHttp.get(one.port(), tenant.host, "/q").status()).isEqualTo(200);
                }
            } finally {
                one.stop();
            }
            LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
            assertThat(new UsageStore(Seed.database().dsl()).quotaCounts(tenant.id, today))
                    .extracting(UsageStore.QuotaCount::requests).containsExactly(3L);

            GatewayServer two = Gateways.start(dir.resolve("two.json"), FLUSH_ON_STOP, clock);
            try {
                Gateways.awaitVersion(two, version);
                assertThat(RawHttp.get(two.port(), tenant.host, "/q").status()).isEqualTo(200);
                assertThat(RawHttp.get(two.port(), tenant.host, "/q").status()).isEqualTo(200);
                assertQuotaExceeded(RawHttp.get(two.port(), tenant.host, "/q"), "The quota for this period is spent");
            } finally {
                two.stop();
            }
            assertThat(upstream.seen).hasSize(5);
        }
    }

    @Test
    void aKeysQuotaNarrowsItsTenantsWithoutSpendingOtherKeys() throws IOException {
        try (Upstream upstream = Upstream.ok()) {
            var tenant = Seed.tenant().quota(100L, "month");
            tenant.route(tenant.service(upstream.url()), "/k", "api-key");
            Seed.Key limited = tenant.keyWithQuota(2);
            Seed.Key other = tenant.key();
            long version = tenant.save();

            GatewayServer gateway = Gateways.start(dir.resolve("snap.json"), FLUSH_ON_STOP);
            try {
                Gateways.awaitVersion(gateway, version);
                for (int i = 0; i < 2; i++) {
                    assertThat(RawHttp.get(gateway.port(), tenant.host, "/k", "X-API-Key", limited.plaintext())
                            .status()).isEqualTo(200);
                }
                assertQuotaExceeded(RawHttp.get(gateway.port(), tenant.host, "/k", "X-API-Key", limited.plaintext()),
                        "The API key's quota for this period is spent");
                assertThat(RawHttp.get(gateway.port(), tenant.host, "/k", "X-API-Key", other.plaintext()).status())
                        .isEqualTo(200);
            } finally {
                gateway.stop();
            }
            LocalDate monthStart = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1);
            UsageStore usage = new UsageStore(Seed.database().dsl());
            // the refused request counts for neither the key nor the tenant
            assertThat(usage.quotaCounts(limited.row().id(), monthStart).stream().mapToLong(UsageStore.QuotaCount::requests).sum())
                    .isEqualTo(2);
            assertThat(usage.quotaCounts(tenant.id, monthStart).stream().mapToLong(UsageStore.QuotaCount::requests).sum())
                    .isEqualTo(3);
        }
    }

    @Test
    void requestsRefusedBeforeTheQuotaSpendNone() throws IOException {
        try (Upstream upstream = Upstream.ok()) {
            var tenant = Seed.tenant().quota(1L, "day");
            tenant.route(tenant.service(upstream.url()), "/r", "api-key");
            Seed.Key key = tenant.key();
            long version = tenant.save();

            GatewayServer gateway = Gateways.start(dir.resolve("snap.json"), FLUSH_ON_STOP);
            try {
                Gateways.awaitVersion(gateway, version);
                for (int i = 0; i < 3; i++) {
                    assertThat(RawHttp.get(gateway.port(), tenant.host, "/r").status()).isEqualTo(401);
                }
                assertThat(RawHttp.get(gateway.port(), tenant.host, "/r", "X-API-Key", key.plaintext()).status())
                        .isEqualTo(200);
                assertQuotaExceeded(RawHttp.get(gateway.port(), tenant.host, "/r", "X-API-Key", key.plaintext()),
                        "The quota for this period is spent");
            } finally {
                gateway.stop();
            }
        }
    }
}
