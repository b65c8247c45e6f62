package io.tollgate.gateway.usage;

import io.tollgate.db.store.UsageStore;
import io.tollgate.gateway.snapshot.KeySpec;
import io.tollgate.gateway.snapshot.TenantPlan;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Daily and monthly quotas (UTC days and calendar months) of tenants and keys, checked on the request path
 * without the database.
 *
 * <p>For each tenant or key with a quota this node keeps {@code spent}: what the cluster had stored when last read
 * plus what this node admitted since. Admission is a compare-and-set under the quota, so one node never admits
 * past it; other nodes' admissions become visible when they flush and this node re-reads the totals, which bounds
 * the overshoot of a cluster to what the other nodes admit in one flush interval. A re-read never lowers
 * {@code spent} within a period (it takes the larger of the two), so a read racing an admission cannot forget it.
 *
 * <p>Separately, every admitted request is counted per subject and UTC day in {@code pending} until the flusher
 * writes it to {@code quota_usage}; entries are taken out with {@code remove}, so no count is lost or written twice.
 */
public final class QuotaLedger {
    /** The quota a request ran into: Retry-After says when its period ends. */
    public record Refusal(boolean keyQuota, long retryAfterSeconds) {
    }

    /** A tenant or key with a quota, as the current snapshot says. */
    record Subject(UUID id, String kind, UUID tenantId, long quota, boolean daily) {
    }

    record DayCount(UUID subjectId, String subject, UUID tenantId, LocalDate day) {
    }

    private record Period(boolean daily, LocalDate start) {
        static Period of(boolean daily, LocalDate today) {
            return new Period(daily, daily ? today : today.withDayOfMonth(1));
        }

        boolean contains(LocalDate day) {
            return daily ? day.equals(start) : !day.isBefore(start) && day.getMonth() == start.getMonth()
                    && day.getYear() == start.getYear();
        }

        Instant end() {
            LocalDate next = daily ? start.plusDays(1) : start.plusMonths(1);
            return next.atStartOfDay(ZoneOffset.UTC).toInstant();
        }
    }

    private static final class Spend {
        final Period period;
        final AtomicLong spent;

        Spend(Period period, long spent) {
            this.period = period;
            this.spent = new AtomicLong(spent);
        }

        boolean tryTake(long quota) {
            while (true) {
                long now = spent.get();
                if (now >= quota) {
                    return false;
                }
                if (spent.compareAndSet(now, now + 1)) {
                    return true;
                }
            }
        }
    }

    private final Clock clock;
    private final ConcurrentHashMap<UUID, Spend> spends = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<DayCount, Long> pending = new ConcurrentHashMap<>();

    public QuotaLedger(Clock clock) {
        this.clock = clock;
    }

    /**
     * Admits one request of {@code tenant} (with {@code key}, or null) and counts it, or says which quota is spent.
     * Returns null when admitted.
     */
    public Refusal admit(TenantPlan tenant, KeySpec key) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        Spend tenantSpend = null;
        if (tenant.quota() != null) {
            tenantSpend = spend(tenant.id(), Period.of(tenant.dailyQuota(), today));
            if (!tenantSpend.tryTake(tenant.quota())) {
                return refusal(false, tenantSpend.period);
            }
        }
        if (key != null && key.quota() != null) {
            Spend keySpend = spend(key.id(), Period.of(tenant.dailyQuota(), today));
            if (!keySpend.tryTake(key.quota())) {
                if (tenantSpend != null) {
                    tenantSpend.spent.decrementAndGet();
                }
                return refusal(true, keySpend.period);
            }
        }
        pending.merge(new DayCount(tenant.id(), UsageStore.SUBJECT_TENANT, tenant.id(), today), 1L, Long::sum);
        if (key != null) {
            pending.merge(new DayCount(key.id(), UsageStore.SUBJECT_KEY, tenant.id(), today), 1L, Long::sum);
        }
        return null;
    }

    private Refusal refusal(boolean keyQuota, Period period) {
        long seconds = Duration.between(clock.instant(), period.end()).toSeconds() + 1;
        return new Refusal(keyQuota, Math.max(1, seconds));
    }

    private Spend spend(UUID subject, Period period) {
        Spend current = spends.get(subject);
        if (current != null && current.period.equals(period)) {
            return current;
        }
        // A new period (or a subject not seen yet): start from what this node has not flushed; the next refresh
        // adds what is stored.
        return spends.compute(subject, (id, spend) -> spend != null && spend.period.equals(period)
                ? spend : new Spend(period, 0));
    }

    /** Takes out the admitted counts not yet written. */
    List<UsageStore.QuotaCount> drain() {
        List<UsageStore.QuotaCount> out = new ArrayList<>();
        for (DayCount key : pending.keySet()) {
            Long n = pending.remove(key);
            if (n != null) {
                out.add(new UsageStore.QuotaCount(key.subjectId(), key.subject(), key.tenantId(), key.day(), n));
            }
        }
        return out;
    }

    void restore(List<UsageStore.QuotaCount> batch) {
        batch.forEach(c -> pending.merge(new DayCount(c.subjectId(), c.subject(), c.tenantId(), c.day()),
                c.requests(), Long::sum));
    }

    /** Today's date (UTC) as this ledger's clock sees it. */
    LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    /**
     * Brings {@code spent} of each subject up to the stored totals plus this node's unflushed counts, and forgets
     * subjects that no longer have a quota.
     */
    void refresh(List<Subject> subjects, Map<UUID, UsageStore.Totals> stored, LocalDate today) {
        Map<UUID, Map<LocalDate, Long>> unflushed = new HashMap<>();
        pending.forEach((key, n) -> unflushed.computeIfAbsent(key.subjectId(), id -> new HashMap<>())
                .merge(key.day(), n, Long::sum));
        Set<UUID> seen = new java.util.HashSet<>();
        for (Subject subject : subjects) {
            seen.add(subject.id());
            Period period = Period.of(subject.daily(), today);
            UsageStore.Totals totals = stored.getOrDefault(subject.id(), new UsageStore.Totals(0, 0));
            long known = subject.daily() ? totals.today() : totals.month();
            for (var day : unflushed.getOrDefault(subject.id(), Map.of()).entrySet()) {
                if (period.contains(day.getKey())) {
                    known += day.getValue();
                }
            }
            long total = known;
            spend(subject.id(), period).spent.accumulateAndGet(total, Math::max);
        }
        spends.keySet().retainAll(seen);
    }
}
