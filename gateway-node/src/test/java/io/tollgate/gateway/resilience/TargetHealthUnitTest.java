package io.tollgate.gateway.resilience;

import io.tollgate.gateway.snapshot.ResilienceSpec;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class TargetHealthUnitTest {
    private static ResilienceSpec spec(int outlier, Duration ejection, int breaker, Duration open, int trials) {
        return new ResilienceSpec(ResilienceSpec.LbPolicy.ROUND_ROBIN, null, outlier, ejection, breaker, open, trials,
                null);
    }

    @Test
    void halfOpenLetsOnlyTheConfiguredTrialsThroughAndClosesAfterThatManySuccesses() {
        ResilienceSpec spec = spec(0, Duration.ofSeconds(1), 1, Duration.ZERO, 2);
        TargetHealth health = new TargetHealth();
        health.tryAcquire(spec).record(Outcome.SERVER_ERROR, spec);
        assertThat(health.circuit()).isEqualTo(TargetHealth.Circuit.OPEN);

        // the open period (zero here) is over: half-open with two trial slots
        TargetHealth.Permit first = health.tryAcquire(spec);
        TargetHealth.Permit second = health.tryAcquire(spec);
        assertThat(first).isNotNull();
        assertThat(second).isNotNull();
        assertThat(health.tryAcquire(spec)).isNull();
        assertThat(health.circuit()).isEqualTo(TargetHealth.Circuit.HALF_OPEN);

        first.record(Outcome.SUCCESS, spec);
        assertThat(health.circuit()).isEqualTo(TargetHealth.Circuit.HALF_OPEN);
        second.record(Outcome.SUCCESS, spec);
        assertThat(health.circuit()).isEqualTo(TargetHealth.Circuit.CLOSED);
        assertThat(health.inFlight()).isZero();
    }

    @Test
    void aFailedTrialOpensTheCircuitAgain() {
        ResilienceSpec spec = spec(0, Duration.ofSeconds(1), 1, Duration.ofHours(1), 1);
        ResilienceSpec instant = spec(0, Duration.ofSeconds(1), 1, Duration.ZERO, 1);
        TargetHealth health = new TargetHealth();
        health.tryAcquire(instant).record(Outcome.TIMEOUT, instant);
        TargetHealth.Permit trial = health.tryAcquire(instant);

        trial.record(Outcome.CONNECT_FAILURE, spec);

        assertThat(health.circuit()).isEqualTo(TargetHealth.Circuit.OPEN);
        assertThat(health.tryAcquire(spec)).isNull();
    }

    @Test
    void timeoutsTripTheBreakerButDoNotEject() {
        ResilienceSpec spec = spec(1, Duration.ofHours(1), 0, Duration.ofHours(1), 1);
        TargetHealth health = new TargetHealth();

        health.tryAcquire(spec).record(Outcome.TIMEOUT, spec);
        assertThat(health.ejected()).isFalse();

        health.tryAcquire(spec).record(Outcome.RESET, spec);
        assertThat(health.ejected()).isTrue();
        assertThat(health.tryAcquire(spec)).isNull();
    }

    @Test
    void aSuccessInBetweenResetsTheCount() {
        ResilienceSpec spec = spec(2, Duration.ofHours(1), 2, Duration.ofHours(1), 1);
        TargetHealth health = new TargetHealth();

        health.tryAcquire(spec).record(Outcome.SERVER_ERROR, spec);
        health.tryAcquire(spec).record(Outcome.SUCCESS, spec);
        health.tryAcquire(spec).record(Outcome.SERVER_ERROR, spec);

        assertThat(health.healthy()).isTrue();
        assertThat(health.circuit()).isEqualTo(TargetHealth.Circuit.CLOSED);
    }

    @Test
    void releasedPermitsJudgeNothing() {
        ResilienceSpec spec = spec(1, Duration.ofHours(1), 1, Duration.ofHours(1), 1);
        TargetHealth health = new TargetHealth();

        health.tryAcquire(spec).release();

        assertThat(health.healthy()).isTrue();
        assertThat(health.inFlight()).isZero();
    }
}
