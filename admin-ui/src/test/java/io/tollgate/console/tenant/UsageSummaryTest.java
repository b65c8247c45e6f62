package io.tollgate.console.tenant;

import io.tollgate.db.model.UsageMinute;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class UsageSummaryTest {
    private static final OffsetDateTime FROM = OffsetDateTime.of(2030, 1, 1, 10, 0, 0, 0, ZoneOffset.UTC);
    private static final UUID TENANT = UUID.randomUUID();
    private static final UUID ROUTE = UUID.randomUUID();

    private static UsageMinute minute(int offset, long requests, long... buckets) {
        List<Long> list = java.util.Arrays.stream(buckets).boxed().toList();
        return new UsageMinute(TENANT, ROUTE, FROM.plusMinutes(offset), requests, 1, 0, list);
    }

    @Test
    void minutesFoldIntoBucketsOfTheWindow() {
        var s = new UsageSummary(FROM, Duration.ofHours(1), 15, List.of(minute(0, 30, 30), minute(14, 30, 30),
                minute(15, 60, 60), minute(60, 999, 999)));
        assertThat(s.requests).containsExactly(60, 60, 0, 0);
        assertThat(s.perMinute()[0]).isEqualTo(4.0);
        assertThat(s.totalRequests).as("the minute at the window's end is outside it").isEqualTo(120);
        assertThat(UsageSummary.rate(s.errors4xx, s.requests)[0]).isCloseTo(100.0 * 2 / 60, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void p95IsTheBoundOfTheBucketHoldingThe95thPercentile() {
        var fast = new UsageSummary(FROM, Duration.ofHours(1), 1, List.of(minute(1, 100, 96, 4)));
        assertThat(fast.routes.getFirst().p95Millis()).isEqualTo(5);
        var slow = new UsageSummary(FROM, Duration.ofHours(1), 1, List.of(minute(1, 100, 90, 0, 0, 0, 0, 0, 0, 10)));
        assertThat(slow.routes.getFirst().p95Millis()).isEqualTo(1000);
        assertThat(slow.routes.getFirst().p95Text()).isEqualTo("\u2264 1000 ms");
        var open = new UsageSummary(FROM, Duration.ofHours(1), 1,
                List.of(minute(1, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10)));
        assertThat(open.routes.getFirst().p95Text()).isEqualTo("> 10000 ms");
    }
}
