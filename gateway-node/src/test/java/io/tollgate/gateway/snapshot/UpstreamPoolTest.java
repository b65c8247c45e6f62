package io.tollgate.gateway.snapshot;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
    void onlyPlainHttpTargetsWithPositiveWeightsAreAccepted() {
        assertThatThrownBy(() -> UpstreamPool.target("ftp://10.0.0.1", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UpstreamPool("svc", List.of(UpstreamPool.target("http://a", 0)),
                Duration.ofSeconds(1), Duration.ofSeconds(1), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UpstreamPool("svc", List.of(), Duration.ofSeconds(1), Duration.ofSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
