package io.tollgate.gateway.limit;

import io.tollgate.common.problem.ProblemType;
import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.HttpFields;
import io.tollgate.gateway.pipeline.Pipeline;
import io.tollgate.gateway.pipeline.Response;
import io.tollgate.gateway.snapshot.KeySpec;
import io.tollgate.gateway.snapshot.RateSpec;
import io.tollgate.gateway.snapshot.RouteSpec;
import io.tollgate.gateway.snapshot.TenantPlan;
import io.tollgate.gateway.snapshot.UpstreamPool;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The bucket arithmetic, without a clock-sensitive refill: rates are 1 per second, bursts a handful. */
class RateLimitFilterTest {
    private static final UpstreamPool POOL = new UpstreamPool("svc",
            List.of(UpstreamPool.target("http://127.0.0.1:9", 1)), Duration.ofSeconds(1), Duration.ofSeconds(1), 0);

    private final TenantPlan tenant = new TenantPlan(UUID.randomUUID(), "t", true, new RateSpec(1, 10), null, "month", null);
    private final RouteSpec route = new RouteSpec(UUID.randomUUID(), tenant.id(), "r", List.of(), List.of("/"), Set.of(),
            false, RouteSpec.AUTH_API_KEY, null, null, false, Set.of(), POOL);

    private Exchange exchange(KeySpec key) {
        Exchange exchange = new Exchange("GET", "/", null, "h", "http", "127.0.0.1", new HttpFields(),
                InputStream.nullInputStream(), -1, false, System.nanoTime(), null);
        exchange.route(route, "/", tenant);
        exchange.key(key);
        return exchange;
    }

    private static KeySpec key(RateSpec rate) {
        return new KeySpec(UUID.randomUUID(), UUID.randomUUID(), "pub", new byte[0], null, rate, null, null, null);
    }

    private static Pipeline limited(ClusterShare share) {
        return Pipeline.of(List.of(new RateLimitFilter(share),
                (exchange, chain) -> Response.of(200, new HttpFields(), null)));
    }

    @Test
    void eachNodeEnforcesItsShareOfTheTenantBurst() {
        ClusterShare share = new ClusterShare();
        share.liveNodes(2);
        Pipeline pipeline = limited(share);

        Exchange first = exchange(null);
        assertThat(pipeline.run(first).status()).isEqualTo(200);
        assertThat(first.responseHeaders().first("RateLimit-Limit")).isEqualTo("5");
        assertThat(first.responseHeaders().first("RateLimit-Remaining")).isEqualTo("4");
        for (int i = 0; i < 4; i++) {
            assertThat(pipeline.run(exchange(null)).status()).isEqualTo(200);
        }
        Exchange refused = exchange(null);
        Response response = pipeline.run(refused);
        assertThat(response.problem().type()).isEqualTo(ProblemType.RATE_LIMITED);
        assertThat(response.problem().headers()).containsKey("Retry-After");
        assertThat(refused.responseHeaders().first("RateLimit-Remaining")).isEqualTo("0");
    }

    @Test
    void aKeyOverrideNarrowsAndRefusalGivesBackTheTenantToken() {
        Pipeline pipeline = limited(new ClusterShare());
        KeySpec narrow = key(new RateSpec(1, 2));

        assertThat(pipeline.run(exchange(narrow)).status()).isEqualTo(200);
        Exchange second = exchange(narrow);
        assertThat(pipeline.run(second).status()).isEqualTo(200);
        assertThat(second.responseHeaders().first("RateLimit-Limit")).isEqualTo("2");
        assertThat(pipeline.run(exchange(narrow)).problem().type()).isEqualTo(ProblemType.RATE_LIMITED);

        // The tenant bucket (burst 10) lost only the two accepted requests: another key still has 8.
        Exchange other = exchange(null);
        assertThat(pipeline.run(other).status()).isEqualTo(200);
        assertThat(other.responseHeaders().first("RateLimit-Remaining")).isEqualTo("7");
    }

    @Test
    void aRefusalByTheKeyGivesBackBothTheTenantAndTheRouteToken() {
        RouteSpec limitedRoute = new RouteSpec(UUID.randomUUID(), tenant.id(), "r2", List.of(), List.of("/"),
                Set.of(), false, RouteSpec.AUTH_API_KEY, new RateSpec(1, 4), null, false, Set.of(), POOL);
        Pipeline pipeline = limited(new ClusterShare());
        KeySpec narrow = key(new RateSpec(1, 1));

        Exchange first = exchange(narrow);
        first.route(limitedRoute, "/", tenant);
        assertThat(pipeline.run(first).status()).isEqualTo(200);
        // the key's bucket is the tightest of the three: 0 of 1 left
        assertThat(first.responseHeaders().first("RateLimit-Limit")).isEqualTo("1");
        assertThat(first.responseHeaders().first("RateLimit-Remaining")).isEqualTo("0");

        Exchange refused = exchange(narrow);
        refused.route(limitedRoute, "/", tenant);
        assertThat(pipeline.run(refused).problem().type()).isEqualTo(ProblemType.RATE_LIMITED);
        assertThat(refused.responseHeaders().first("RateLimit-Limit")).isEqualTo("1");

        // the route (burst 4) and the tenant (burst 10) each lost only the accepted request
        Exchange other = exchange(null);
        other.route(limitedRoute, "/", tenant);
        assertThat(pipeline.run(other).status()).isEqualTo(200);
        assertThat(other.responseHeaders().first("RateLimit-Limit")).isEqualTo("4");
        assertThat(other.responseHeaders().first("RateLimit-Remaining")).isEqualTo("2");
        Exchange tenantOnly = exchange(null);
        assertThat(pipeline.run(tenantOnly).status()).isEqualTo(200);
        assertThat(tenantOnly.responseHeaders().first("RateLimit-Remaining")).isEqualTo("7");
    }
}
