package io.tollgate.gateway.resilience;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class DeadlineTest {
    @Test
    void grpcTimeoutUnitsAreParsed() {
        assertThat(Deadline.grpcTimeout("2H")).isEqualTo(Duration.ofHours(2));
        assertThat(Deadline.grpcTimeout("3M")).isEqualTo(Duration.ofMinutes(3));
        assertThat(Deadline.grpcTimeout("5S")).isEqualTo(Duration.ofSeconds(5));
        assertThat(Deadline.grpcTimeout("250m")).isEqualTo(Duration.ofMillis(250));
        assertThat(Deadline.grpcTimeout("7u")).isEqualTo(Duration.ofNanos(7000));
        assertThat(Deadline.grpcTimeout("9n")).isEqualTo(Duration.ofNanos(9));
    }

    @Test
    void malformedGrpcTimeoutIsIgnored() {
        assertThat(Deadline.grpcTimeout(null)).isNull();
        assertThat(Deadline.grpcTimeout("m")).isNull();
        assertThat(Deadline.grpcTimeout("10x")).isNull();
        assertThat(Deadline.grpcTimeout("-5m")).isNull();
        assertThat(Deadline.grpcTimeout("123456789m")).isNull();
    }

    @Test
    void theShorterOfRouteAndClientDeadlineWins() {
        long now = System.nanoTime();
        Deadline client = Deadline.of(now, Duration.ofSeconds(60), "100m");
        Deadline route = Deadline.of(now, Duration.ofMillis(100), "60S");

        assertThat(client.remaining()).isLessThanOrEqualTo(Duration.ofMillis(100));
        assertThat(route.remaining()).isLessThanOrEqualTo(Duration.ofMillis(100));
        assertThat(Deadline.of(now, null, null).isSet()).isFalse();
        assertThat(Deadline.of(now, null, null).cap(Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void aClientTimeoutBeyondWhatNanosHoldIsNoDeadline() {
        long now = System.nanoTime();
        // 99999999 hours is well-formed (8 digits) but overflows a long of nanoseconds: it must not throw
        assertThat(Deadline.of(now, null, "99999999H").isSet()).isFalse();
        assertThat(Deadline.of(now, null, "2000000H").isSet()).isFalse();
        assertThat(Deadline.of(now, null, "2000000H").expired()).isFalse();
        // a route's deadline still bounds it
        assertThat(Deadline.of(now, Duration.ofSeconds(5), "99999999H").remaining())
                .isLessThanOrEqualTo(Duration.ofSeconds(5)).isPositive();
        assertThat(Deadline.of(now, null, "99999S").remaining()).isGreaterThan(Duration.ofDays(1));
    }

    @Test
    void backoffGrowsAndStaysUnderTheCap() {
        for (int retry = 1; retry <= 30; retry++) {
            Duration pause = Backoff.before(retry);
            long ceiling = Math.min(Backoff.CAP.toNanos(), Backoff.BASE.toNanos() << Math.min(retry - 1, 20));
            assertThat(pause.toNanos()).isBetween(ceiling / 2, ceiling);
        }
    }
}
