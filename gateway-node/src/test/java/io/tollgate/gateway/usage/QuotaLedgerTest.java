package io.tollgate.gateway.usage;

import io.tollgate.db.store.UsageStore;
import io.tollgate.gateway.snapshot.KeySpec;
import io.tollgate.gateway.snapshot.RateSpec;
import io.tollgate.gateway.snapshot.TenantPlan;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class QuotaLedgerTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-31T23:59:30Z"), ZoneOffset.UTC);

    private static TenantPlan tenant(Long quota, String period) {
        return new TenantPlan(UUID.randomUUID(), "t", true, new RateSpec(1000, 1000), quota, period, null);
    }

    @Test
    void concurrentRequestsNeverGetPastTheQuotaOnOneNode() throws InterruptedException {
        QuotaLedger ledger = new QuotaLedger(CLOCK);
        TenantPlan tenant = tenant(500L, "day");
        AtomicInteger admitted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            for (int t = 0; t < 16; t++) {
                pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 100; i++) {
                        if (ledger.admit(tenant, null) == null) {
                            admitted.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
            start.countDown();
        }
        assertThat(admitted.get()).isEqualTo(500);
        assertThat(ledger.drain()).extracting(UsageStore.QuotaCount::requests).containsExactly(500L);
    }

    @Test
    void storedUsageOfOtherNodesCountsAndRetryAfterIsTheEndOfThePeriod() {
        QuotaLedger ledger = new QuotaLedger(CLOCK);
        TenantPlan tenant = tenant(10L, "month");
        LocalDate today = LocalDate.of(2026, 3, 31);
        ledger.refresh(List.of(new QuotaLedger.Subject(tenant.id(), UsageStore.SUBJECT_TENANT, tenant.id(), 10, false)),
                Map.of(tenant.id(), new UsageStore.Totals(2, 9)), today);

        assertThat(ledger.admit(tenant, null)).isNull();
        QuotaLedger.Refusal refused = ledger.admit(tenant, null);
        assertThat(refused).isNotNull();
        assertThat(refused.keyQuota()).isFalse();
        // 30 s to the end of March (UTC), rounded up
        assertThat(refused.retryAfterSeconds()).isEqualTo(31);
    }

    @Test
    void aKeyRefusedByItsOwnQuotaSpendsNothingOfTheTenants() {
        QuotaLedger ledger = new QuotaLedger(CLOCK);
        TenantPlan tenant = tenant(3L, "day");
        KeySpec key = new KeySpec(UUID.randomUUID(), tenant.id(), "pub", new byte[0], null, null, 1L, null, null);

        assertThat(ledger.admit(tenant, key)).isNull();
        assertThat(ledger.admit(tenant, key).keyQuota()).isTrue();
        assertThat(ledger.admit(tenant, null)).isNull();
        assertThat(ledger.admit(tenant, null)).isNull();
        assertThat(ledger.admit(tenant, null)).isNotNull();
    }

    @Test
    void latencyBucketsUseTheirDocumentedInclusiveBounds() {
        assertThat(LatencyBuckets.index(0)).isZero();
        assertThat(LatencyBuckets.index(5_000_000)).isZero();
        assertThat(LatencyBuckets.index(5_000_001)).isEqualTo(1);
        assertThat(LatencyBuckets.index(10_000_000_000L)).isEqualTo(10);
        assertThat(LatencyBuckets.index(10_000_000_001L)).isEqualTo(11);
        assertThat(LatencyBuckets.COUNT).isEqualTo(12);
    }
}
