package io.tollgate.gateway.snapshot;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UpstreamPoolTest {
    @Test
    void weightedRoundRobinPicksEachTargetInProportionToItsWeight() {
        UpstreamPool pool = new UpstreamPool("svc", List.of(
                UpstreamPool.target("http://10.0.0.1:8080", 3),
                UpstreamPool.target("http://10.0.0.2:8080/base/", 1)), Duration.ofSeconds(1), Duration.ofSeconds(1), 0);

        Map<String, Integer> picks = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            picks.merge(pool.next().host(), 1, Integer::sum);
        }

        assertThat(picks).containsEntry("10.0.0.1", 300).containsEntry("10.0.0.2", 100);
        assertThat(pool.targets().get(1).basePath()).isEqualTo("/base");
        assertThat(pool.targets().get(0).port()).isEqualTo(8080);
    }

    @Test
    void httpsTargetsSpeakTlsOnPort443ByDefault() {
        UpstreamPool.Target named = UpstreamPool.target("https://orders.internal/v1/", 1);
        UpstreamPool.Target ported = UpstreamPool.target("https://10.0.0.1:8443", 1);
        UpstreamPool.Target plain = UpstreamPool.target("http://10.0.0.1", 1);

        assertThat(named.tls()).isTrue();
        assertThat(named.port()).isEqualTo(443);
        assertThat(named.authority()).isEqualTo("orders.internal");
        assertThat(named.basePath()).isEqualTo("/v1");
        assertThat(ported.authority()).isEqualTo("10.0.0.1:8443");
        assertThat(plain.tls()).isFalse();
        assertThat(plain.authority()).isEqualTo("10.0.0.1");
    }

    @Test
    void h2NeedsHttpsTargetsAndH2cHttpOnes() {
        List<UpstreamPool.Target> https = List.of(UpstreamPool.target("https://a", 1));
        List<UpstreamPool.Target> http = List.of(UpstreamPool.target("http://a", 1));
        UUID id = UUID.randomUUID();
        Duration s = Duration.ofSeconds(1);

        assertThatThrownBy(() -> new UpstreamPool(id, "svc", http, s, s, 0, ResilienceSpec.DEFAULTS,
                UpstreamPool.Protocol.H2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UpstreamPool(id, "svc", https, s, s, 0, ResilienceSpec.DEFAULTS,
                UpstreamPool.Protocol.H2C)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new UpstreamPool(id, "svc", https, s, s, 0, ResilienceSpec.DEFAULTS,
                UpstreamPool.Protocol.of("h2")).protocol().http2()).isTrue();
        assertThat(new UpstreamPool(id, "svc", https, s, s, 0, ResilienceSpec.DEFAULTS,
                UpstreamPool.Protocol.GRPC).targets()).hasSize(1);
    }

    @Test
    void onlyHttpAndHttpsTargetsWithWeightsOfZeroOrMoreAreAccepted() {
        assertThatThrownBy(() -> UpstreamPool.target("ftp://10.0.0.1", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UpstreamPool("svc", List.of(UpstreamPool.target("http://a", -1)),
                Duration.ofSeconds(1), Duration.ofSeconds(1), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UpstreamPool("svc", List.of(), Duration.ofSeconds(1), Duration.ofSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTargetOfWeightZeroIsDrainedAndAllDrainedPicksNothing() {
        UpstreamPool pool = new UpstreamPool("svc", List.of(
                UpstreamPool.target("http://10.0.0.1", 2),
                UpstreamPool.target("http://10.0.0.2", 0),
                UpstreamPool.target("http://10.0.0.3", 1)), Duration.ofSeconds(1), Duration.ofSeconds(1), 0);
        Map<String, Integer> picks = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            picks.merge(pool.next().host(), 1, Integer::sum);
            picks.merge(pool.next(t -> true).host(), 1, Integer::sum);
        }
        assertThat(picks).containsOnlyKeys("10.0.0.1", "10.0.0.3").containsEntry("10.0.0.1", 400);

        UpstreamPool drained = new UpstreamPool("svc", List.of(UpstreamPool.target("http://10.0.0.1", 0)),
                Duration.ofSeconds(1), Duration.ofSeconds(1), 0);
        assertThat(drained.next()).isNull();
        assertThat(drained.next(t -> true)).isNull();
    }

    private static UpstreamPool hashed(String... urls) {
        return new UpstreamPool(UUID.randomUUID(), "svc",
                Arrays.stream(urls).map(u -> UpstreamPool.target(u, 1)).toList(), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 0, new ResilienceSpec(ResilienceSpec.LbPolicy.CONSISTENT_HASH, "X-User", 0,
                Duration.ofSeconds(1), 0, Duration.ofSeconds(1), 1, null));
    }

    @Test
    void consistentHashKeepsAKeyOnItsTargetAndMovesOnlyTheKeysOfARemovedTarget() {
        UpstreamPool three = hashed("http://a", "http://b", "http://c");
        UpstreamPool two = hashed("http://a", "http://b");
        Map<String, Integer> spread = new HashMap<>();
        int moved = 0;
        for (int i = 0; i < 3000; i++) {
            String key = "user-" + i;
            String before = three.pick(key, t -> true, t -> 0).host();
            assertThat(three.pick(key, t -> true, t -> 0).host()).isEqualTo(before);
            spread.merge(before, 1, Integer::sum);
            String after = two.pick(key, t -> true, t -> 0).host();
            if (!before.equals("c")) {
                moved += before.equals(after) ? 0 : 1;
            }
        }
        assertThat(moved).isZero();
        // each target holds a fair share (a third, give or take a generous margin)
        assertThat(spread.values()).allSatisfy(n -> assertThat(n).isBetween(600, 1400));
    }

    @Test
    void consistentHashSkipsATargetThatIsNotAcceptableAndOtherKeysStay() {
        UpstreamPool pool = hashed("http://a", "http://b", "http://c");
        for (int i = 0; i < 300; i++) {
            String key = "user-" + i;
            String home = pool.pick(key, t -> true, t -> 0).host();
            String withoutB = pool.pick(key, t -> !t.host().equals("b"), t -> 0).host();
            assertThat(withoutB).isNotEqualTo("b");
            if (!home.equals("b")) {
                assertThat(withoutB).isEqualTo(home);
            }
        }
    }

    @Test
    void leastInFlightPicksTheTargetWithTheLowestLoadPerWeight() {
        UpstreamPool pool = new UpstreamPool(UUID.randomUUID(), "svc", List.of(
                UpstreamPool.target("http://a", 1), UpstreamPool.target("http://b", 4)), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 0, new ResilienceSpec(ResilienceSpec.LbPolicy.LEAST_IN_FLIGHT, null, 0,
                Duration.ofSeconds(1), 0, Duration.ofSeconds(1), 1, null));
        Map<String, Integer> load = Map.of("a", 1, "b", 3);

        // a: 1 per unit of weight, b: 3/4
        assertThat(pool.pick(null, t -> true, t -> load.get(t.host())).host()).isEqualTo("b");
        assertThat(pool.pick(null, t -> !t.host().equals("b"), t -> load.get(t.host())).host()).isEqualTo("a");
    }
}
