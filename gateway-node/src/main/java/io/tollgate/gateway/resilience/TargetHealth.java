package io.tollgate.gateway.resilience;

import io.tollgate.gateway.snapshot.ResilienceSpec;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What this node knows about one target of one service: passive outlier ejection, the circuit breaker, the
 * active health check verdict, and the requests in flight. The thresholds come from the request's snapshot, so a
 * config change applies to the next decision; the state itself outlives snapshots.
 *
 * <p>Outlier ejection: {@code outlierConsecutiveFailures} 5xx answers or connection failures in a row eject the
 * target for {@code base × 2^(n-1)} (n = ejections in a row, capped at 64 × base); the multiplier starts over
 * once the target has served without ejection for as long as its last ejection lasted.
 *
 * <p>Circuit breaker: {@code breakerConsecutiveFailures} failures in a row (timeouts included) open the circuit for
 * {@code breakerOpen}; then it is half-open and lets {@code breakerHalfOpenRequests} trial requests through at
 * once. That many successful trials close it; one failed trial opens it again.
 *
 * <p>All transitions happen under this object's lock; they are a few field writes.
 */
public final class TargetHealth {
    /** The circuit breaker's state. */
    public enum Circuit { CLOSED, OPEN, HALF_OPEN }

    /** Permission to send one attempt; {@link #record} must be called exactly once with how it ended. */
    public final class Permit {
        private final boolean trial;
        private boolean recorded;

        private Permit(boolean trial) {
            this.trial = trial;
        }

        public void record(Outcome outcome, ResilienceSpec spec) {
            if (recorded) {
                return;
            }
            recorded = true;
            inFlight.decrementAndGet();
            TargetHealth.this.record(outcome, spec, trial, System.nanoTime());
        }

        /** Gives the permit back without a verdict on the target (the failure was not the target's). */
        public void release() {
            if (recorded) {
                return;
            }
            recorded = true;
            inFlight.decrementAndGet();
            if (trial) {
                synchronized (TargetHealth.this) {
                    trialsInFlight--;
                }
            }
        }

        public TargetHealth target() {
            return TargetHealth.this;
        }
    }

    private static final int MAX_EJECTION_MULTIPLIER = 64;

    private final AtomicInteger inFlight = new AtomicInteger();
    private int outlierFailures;
    private int ejections;
    private long ejectedUntil = Long.MIN_VALUE;
    private long lastEjectionNanos;
    private int breakerFailures;
    private Circuit circuit = Circuit.CLOSED;
    private long openUntil;
    private int trialsInFlight;
    private int trialSuccesses;
    private volatile boolean checkedUnhealthy;

    /**
     * A permit when the target may be sent a request now: not ejected, not failing its active checks, and the
     * circuit closed or half-open with a trial free. Null otherwise.
     */
    public synchronized Permit tryAcquire(ResilienceSpec spec) {
        long now = System.nanoTime();
        if (checkedUnhealthy || ejected(now)) {
            return null;
        }
        boolean trial = false;
        if (circuit == Circuit.OPEN) {
            if (now - openUntil < 0) {
                return null;
            }
            circuit = Circuit.HALF_OPEN;
            trialsInFlight = 0;
            trialSuccesses = 0;
        }
        if (circuit == Circuit.HALF_OPEN) {
            if (trialsInFlight >= spec.breakerHalfOpenRequests()) {
                return null;
            }
            trialsInFlight++;
            trial = true;
        }
        inFlight.incrementAndGet();
        return new Permit(trial);
    }

    private synchronized void record(Outcome outcome, ResilienceSpec spec, boolean trial, long now) {
        if (outcome == Outcome.SUCCESS) {
            outlierFailures = 0;
            breakerFailures = 0;
            if (ejections > 0 && now - ejectedUntil > lastEjectionNanos) {
                ejections = 0;
            }
        } else {
            if (outcome.ejects() && spec.outlierConsecutiveFailures() > 0
                    && ++outlierFailures >= spec.outlierConsecutiveFailures() && !ejected(now)) {
                ejections = Math.min(ejections + 1, 31);
                long multiplier = Math.min(1L << (ejections - 1), MAX_EJECTION_MULTIPLIER);
                lastEjectionNanos = spec.outlierBaseEjection().toNanos() * multiplier;
                ejectedUntil = now + lastEjectionNanos;
                outlierFailures = 0;
            }
            if (outcome.trips() && spec.breakerConsecutiveFailures() > 0) {
                breakerFailures++;
            }
        }
        if (trial) {
            trialsInFlight--;
            if (circuit == Circuit.HALF_OPEN) {
                if (outcome.trips()) {
                    open(spec, now);
                } else if (++trialSuccesses >= spec.breakerHalfOpenRequests()) {
                    circuit = Circuit.CLOSED;
                    breakerFailures = 0;
                }
            }
        } else if (circuit == Circuit.CLOSED && spec.breakerConsecutiveFailures() > 0
                && breakerFailures >= spec.breakerConsecutiveFailures()) {
            open(spec, now);
        }
    }

    private void open(ResilienceSpec spec, long now) {
        circuit = Circuit.OPEN;
        openUntil = now + spec.breakerOpen().toNanos();
        breakerFailures = 0;
    }

    private boolean ejected(long now) {
        return ejectedUntil != Long.MIN_VALUE && now - ejectedUntil < 0;
    }

    /** The active health checker's verdict; an unhealthy target is not picked. */
    public void checkedUnhealthy(boolean unhealthy) {
        this.checkedUnhealthy = unhealthy;
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** For metrics and the nodes view: would a request be let through right now (ignoring half-open slots)? */
    public synchronized boolean healthy() {
        long now = System.nanoTime();
        return !checkedUnhealthy && !ejected(now) && (circuit != Circuit.OPEN || now - openUntil >= 0);
    }

    public synchronized boolean ejected() {
        return ejected(System.nanoTime());
    }

    public synchronized Circuit circuit() {
        return circuit;
    }

    public boolean checkedUnhealthy() {
        return checkedUnhealthy;
    }
}
