package io.tollgate.gateway.usage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.common.json.Json;
import io.tollgate.db.Database;
import io.tollgate.db.model.AuditEvent;
import io.tollgate.db.store.AuditStore;
import io.tollgate.db.store.UsageStore;
import io.tollgate.gateway.snapshot.KeySpec;
import io.tollgate.gateway.snapshot.Snapshot;
import io.tollgate.gateway.snapshot.SnapshotHolder;
import io.tollgate.gateway.snapshot.TenantPlan;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jooq.impl.DSL;

/**
 * Every flush interval, on a thread of its own: write the rollups and admitted-request counts gathered since the
 * last flush (one transaction, adding to stored rows), append one audit event per denied-request aggregate of each
 * minute that ended more than {@value #DENIED_GRACE_MILLIS} ms ago (one transaction, {@link AuditStore#appendAll}), then re-read the quota totals of every
 * tenant and key with a quota. A batch that cannot be written is put back and retried next time. {@link #close()}
 * writes everything, the current minute's denials included.
 */
public final class UsageFlusher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(UsageFlusher.class.getName());
    public static final String DENIED_ACTION = "gateway.denied";
    /**
     * How long after a minute ends its denials are appended: requests are counted in the minute they arrived, so
     * one refused at the very end of a minute may be recorded a moment after the minute ended.
     */
    static final long DENIED_GRACE_MILLIS = 5_000;

    private final Database database;
    private final SnapshotHolder snapshots;
    private final UsageRecorder recorder;
    private final QuotaLedger quotas;
    private final String nodeId;
    private final Clock clock;
    private final Duration interval;
    private final LongAdder failures = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            runnable -> Thread.ofPlatform().daemon().name("tollgate-usage-flush").unstarted(runnable));
    private boolean reportedFailure;

    public UsageFlusher(Database database, SnapshotHolder snapshots, UsageRecorder recorder, QuotaLedger quotas,
                        String nodeId, Clock clock, Duration interval) {
        this.database = database;
        this.snapshots = snapshots;
        this.recorder = recorder;
        this.quotas = quotas;
        this.nodeId = nodeId;
        this.clock = clock;
        this.interval = interval;
    }

    /** Reads the quota totals once before returning (when the database answers), then flushes periodically. */
    public void start() {
        synchronized (this) {
            try {
                refreshQuotas();
            } catch (RuntimeException e) {
                failed(e);
            }
        }
        timer.scheduleWithFixedDelay(() -> flush(false), interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Flushes that failed (the batch was kept for the next one). */
    public long failures() {
        return failures.sum();
    }

    /** Rollups dropped because too many were waiting for an unreachable database. */
    public long dropped() {
        return dropped.sum();
    }

    synchronized void flush(boolean everything) {
        try {
            writeUsage();
            writeDenied(everything ? Long.MAX_VALUE
                    : UsageRecorder.minuteOf(clock.millis() - DENIED_GRACE_MILLIS));
            refreshQuotas();
            if (reportedFailure) {
                reportedFailure = false;
                LOG.log(System.Logger.Level.INFO, "usage is written again");
            }
        } catch (RuntimeException e) {
            // a thread that dies stops all accounting: log and go on
            failed(e);
        }
    }

    private void writeUsage() {
        List<UsageStore.Rollup> rollups = recorder.rollups.drain();
        List<UsageStore.QuotaCount> counts = quotas.drain();
        if (rollups.isEmpty() && counts.isEmpty()) {
            return;
        }
        try {
            database.transaction(cfg -> {
                UsageStore store = new UsageStore(DSL.using(cfg));
                store.addRollups(rollups);
                store.addQuotaCounts(counts);
                return null;
            });
        } catch (RuntimeException e) {
            dropped.add(recorder.rollups.restore(rollups));
            quotas.restore(counts);
            throw e;
        }
    }

    private void writeDenied(long beforeMinute) {
        List<DeniedRequests.Count> denied = recorder.denied.drainBefore(beforeMinute);
        if (denied.isEmpty()) {
            return;
        }
        List<AuditEvent> events = new ArrayList<>(denied.size());
        for (DeniedRequests.Count count : denied) {
            events.add(event(count));
        }
        try {
            database.transaction(cfg -> new AuditStore(DSL.using(cfg)).appendAll(events));
        } catch (RuntimeException e) {
            recorder.denied.restore(denied);
            throw e;
        }
    }

    private AuditEvent event(DeniedRequests.Count count) {
        DeniedRequests.Aggregate a = count.aggregate();
        ObjectNode after = Json.mapper().createObjectNode();
        after.put("minute", Instant.ofEpochMilli(a.minuteMillis()).toString());
        after.put("route_id", a.routeId().toString());
        after.put("key_public_id", a.keyPublicId());
        after.put("status", a.status());
        after.put("count", count.count());
        after.put("node", nodeId);
        return new AuditEvent(null, null, "system", null, nodeId, a.tenantId(), DENIED_ACTION, "route",
                a.routeId().toString(), null, after, null, null, null, null);
    }

    private void refreshQuotas() {
        Snapshot snapshot = snapshots.current();
        if (snapshot == null) {
            return;
        }
        List<QuotaLedger.Subject> subjects = new ArrayList<>();
        for (TenantPlan t : snapshot.tenants().values()) {
            if (t.quota() != null) {
                subjects.add(new QuotaLedger.Subject(t.id(), UsageStore.SUBJECT_TENANT, t.id(), t.quota(),
                        t.dailyQuota()));
            }
        }
        for (KeySpec k : snapshot.keysByPublicId().values()) {
            TenantPlan tenant = snapshot.tenants().get(k.tenantId());
            if (k.quota() != null && tenant != null) {
                subjects.add(new QuotaLedger.Subject(k.id(), UsageStore.SUBJECT_KEY, k.tenantId(), k.quota(),
                        tenant.dailyQuota()));
            }
        }
        LocalDate today = quotas.today();
        var stored = new UsageStore(database.dsl()).quotaTotals(
                subjects.stream().map(QuotaLedger.Subject::id).toList(), today.withDayOfMonth(1), today);
        quotas.refresh(subjects, stored, today);
    }

    private void failed(RuntimeException e) {
        failures.increment();
        if (!reportedFailure) {
            reportedFailure = true;
            LOG.log(System.Logger.Level.WARNING, "usage could not be written, keeping it for the next flush: "
                    + e.getMessage());
        }
    }

    /** Stops the timer and writes everything still held, the current minute's denials included. */
    @Override
    public void close() {
        timer.shutdown();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush(true);
    }
}
