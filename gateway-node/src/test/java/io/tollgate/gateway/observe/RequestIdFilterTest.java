package io.tollgate.gateway.observe;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class RequestIdFilterTest {
    @Test
    void acceptsOnlyWellFormedTraceparents() {
        assertThat(RequestIdFilter.validTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).isTrue();
        assertThat(RequestIdFilter.validTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra")).isTrue();

        assertThat(RequestIdFilter.validTraceparent(null)).isFalse();
        assertThat(RequestIdFilter.validTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).isFalse();
        assertThat(RequestIdFilter.validTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")).isFalse();
        assertThat(RequestIdFilter.validTraceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).isFalse();
        assertThat(RequestIdFilter.validTraceparent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01")).isFalse();
        assertThat(RequestIdFilter.validTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x")).isFalse();
    }

    @Test
    void mintedRequestIdsAreDistinctVersion4Uuids() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = RequestIdFilter.newRequestId();
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).isEqualTo(4);
            assertThat(uuid.variant()).isEqualTo(2);
            assertThat(uuid.toString()).isEqualTo(id);
            assertThat(seen.add(id)).isTrue();
        }
    }

    @Test
    void mintedTraceparentsAreValidAndDistinct() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String traceparent = RequestIdFilter.newTraceparent();
            assertThat(RequestIdFilter.validTraceparent(traceparent)).as(traceparent).isTrue();
            assertThat(traceparent).hasSize(55).startsWith("00-").endsWith("-01");
            assertThat(seen.add(traceparent.substring(3, 35))).isTrue();
        }
    }

    @Test
    void everyDigitOfAMintedTraceparentIsRandomHex() {
        // position -> the digits seen there; the ids' random bits must reach every hex digit
        List<Set<Character>> seen = new ArrayList<>();
        for (int p = 0; p < 55; p++) {
            seen.add(new HashSet<>());
        }
        for (int i = 0; i < 2_000; i++) {
            String traceparent = RequestIdFilter.newTraceparent();
            for (int p = 0; p < 55; p++) {
                seen.get(p).add(traceparent.charAt(p));
            }
        }
        for (int p : new int[]{0, 1, 2, 35, 52, 53, 54}) {
            assertThat(seen.get(p)).as("position %d", p).hasSize(1);
        }
        for (int p = 3; p < 52; p++) {
            if (p == 35) {
                continue;
            }
            // the second digit of each id has its low bit set (never all zeros): eight digits there, else sixteen
            int digits = p == 4 || p == 37 ? 8 : 16;
            assertThat(seen.get(p)).as("position %d", p).hasSize(digits).allMatch(c -> "0123456789abcdef"
                    .indexOf(c) >= 0);
        }
    }
}
