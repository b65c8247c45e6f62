package io.tollgate.gateway;

import io.tollgate.db.model.Service;
import io.tollgate.db.store.ServiceStore;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** Active health checks run by the node against real upstreams whose health endpoint fails and recovers. */
class ActiveHealthCheckTest extends WithGateway {

    /** Checks every 100 ms, two results in a row flip the verdict; passive ejection and breaker off. */
    private static final Service.Resilience CHECKED = new Service.Resilience("round-robin", null, 0, 30_000, 0,
            10_000, 1, "/healthz", 100, 500, 2, 2);

    /** Answers /healthz with 200 or 503 as {@code healthy} says, anything else with its name. */
    private static Upstream checked(String name, AtomicBoolean healthy) throws IOException {
        return Upstream.answering(e -> {
            if (e.getRequestURI().getPath().equals("/healthz")) {
                Upstream.send(e, healthy.get() ? 200 : 503, "");
            } else {
                Upstream.send(e, 200, name);
            }
        });
    }

    private static long traffic(Upstream upstream) {
        return upstream.seen.stream().filter(s -> !s.rawPath().equals("/healthz")).count();
    }

    private static boolean healthy(Service s, String url) {
        try {
            String metrics = new String(RawHttp.get(gateway.mgmtPort(), "localhost", "/metrics").body(),
                    StandardCharsets.UTF_8);
            return metrics.contains("tollgate_upstream_target_healthy{service=\"" + s.name() + "\",service_id=\""
                    + s.id() + "\",target=\"" + url + "\"} 1");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Set<String> servedBy(Seed.TenantRows t, int requests) throws IOException {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < requests; i++) {
            RawHttp.Reply reply = RawHttp.get(gateway.port(), t.host, "/a");
            assertThat(reply.status()).isEqualTo(200);
            names.add(reply.text());
        }
        return names;
    }

    @Test
    void aTargetFailingItsChecksGetsNoTrafficUntilItPassesAgain() throws IOException {
        AtomicBoolean aHealthy = new AtomicBoolean(true);
        try (Upstream a = checked("a", aHealthy); Upstream b = checked("b", new AtomicBoolean(true))) {
            var t = Seed.tenant();
            Service s = t.service(List.of(a.url(), b.url()), 0, 30_000, CHECKED);
            t.route(s, "/a", "none");
            Gateways.awaitVersion(gateway, t.save());
            Gateways.await("checks to reach both targets", () -> a.seen.size() >= 2 && b.seen.size() >= 2);
            assertThat(servedBy(t, 10)).containsExactlyInAnyOrder("a", "b");

            aHealthy.set(false);
            Gateways.await("a to fail its checks", () -> !healthy(s, a.url()));
            long before = traffic(a);
            assertThat(servedBy(t, 10)).containsExactly("b");
            assertThat(traffic(a)).isEqualTo(before);

            aHealthy.set(true);
            Gateways.await("a to pass its checks", () -> healthy(s, a.url()));
            assertThat(servedBy(t, 10)).containsExactlyInAnyOrder("a", "b");
        }
    }

    @Test
    void noTargetPassingItsChecksIsNoHealthyUpstream() throws IOException {
        try (Upstream a = checked("a", new AtomicBoolean(false))) {
            var t = Seed.tenant();
            Service s = t.service(List.of(a.url()), 0, 30_000, CHECKED);
            t.route(s, "/a", "none");
            Gateways.awaitVersion(gateway, t.save());
            Gateways.await("a to fail its checks", () -> a.seen.size() >= 2 && !healthy(s, a.url()));

            RawHttp.Reply reply = RawHttp.get(gateway.port(), t.host, "/a");

            assertThat(reply.status()).isEqualTo(503);
            assertThat(reply.text()).contains("/no-healthy-upstream");
            assertThat(traffic(a)).isZero();
        }
    }

    @Test
    void turningChecksOffClearsTheVerdict() throws IOException {
        try (Upstream a = checked("a", new AtomicBoolean(false))) {
            var t = Seed.tenant();
            Service s = t.service(List.of(a.url()), 0, 30_000, CHECKED);
            t.route(s, "/a", "none");
            Gateways.awaitVersion(gateway, t.save());
            Gateways.await("a to fail its checks", () -> a.seen.size() >= 2 && !healthy(s, a.url()));

            Service.Resilience off = new Service.Resilience("round-robin", null, 0, 30_000, 0, 10_000, 1, null, 100,
                    500, 2, 2);
            Gateways.awaitVersion(gateway, Seed.change(dsl -> new ServiceStore(dsl).update(s.withResilience(off),
                    s.rowVersion())));
            Gateways.await("the verdict to clear", () -> healthy(s, a.url()));

            assertThat(servedBy(t, 3)).containsExactly("a");
        }
    }
}
