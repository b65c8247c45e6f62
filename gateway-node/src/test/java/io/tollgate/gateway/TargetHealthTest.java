package io.tollgate.gateway;

import io.tollgate.db.model.Service;
import io.tollgate.db.store.NodeStore;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Passive outlier ejection and the per-target circuit breaker, against real upstreams that fail and recover;
 * every case counts what reached the upstreams.
 */
class TargetHealthTest extends WithGateway {

    private static Service.Resilience outlier(int failures, int ejectionMs) {
        Service.Resilience d = Service.Resilience.DEFAULTS;
        return new Service.Resilience(d.lbPolicy(), null, failures, ejectionMs, 0, 10_000, 1, null, 10_000, 2_000, 2, 3);
    }

    private static Service.Resilience breaker(int failures, int openMs, int trials) {
        Service.Resilience d = Service.Resilience.DEFAULTS;
        return new Service.Resilience(d.lbPolicy(), null, 0, 30_000, failures, openMs, trials, null, 10_000, 2_000, 2, 3);
    }

    private static Seed.TenantRows routeTo(Service.Resilience resilience, String... urls) {
        var t = Seed.tenant();
        t.route(t.service(List.of(urls), 0, 2_000, resilience), "/h", "none");
        Gateways.awaitVersion(gateway, t.save());
        return t;
    }

    private static int get(Seed.TenantRows t) throws IOException {
        return RawHttp.get(gateway.port(), t.host, "/h").status();
    }

    private static String problemType(Seed.TenantRows t) throws IOException {
        RawHttp.Reply reply = RawHttp.get(gateway.port(), t.host, "/h");
        return reply.status() + " " + reply.text();
    }

    private static String metrics() throws IOException {
        return new String(RawHttp.get(gateway.mgmtPort(), "localhost", "/metrics").body(), StandardCharsets.UTF_8);
    }

    @Test
    void consecutiveServerErrorsEjectATargetWhileAHealthyOneRemains() throws IOException {
        try (Upstream bad = Upstream.answering(e -> Upstream.send(e, 500, "{}")); Upstream good = Upstream.ok()) {
            var t = routeTo(outlier(2, 60_000), bad.url(), good.url());

            int served = 0;
            for (int i = 0; i < 20; i++) {
                served += get(t) == 200 ? 1 : 0;
            }

            // round robin sends every other request to the bad target until its second failure in a row
            assertThat(bad.seen).hasSize(2);
            assertThat(good.seen).hasSize(18);
            assertThat(served).isEqualTo(18);
            assertThat(metrics()).contains("tollgate_upstream_target_healthy{service=\"" + t.services.getFirst().name()
                    + "\",service_id=\"" + t.services.getFirst().id() + "\",target=\"" + bad.url() + "\"} 0");
            assertThat(metrics()).contains("target=\"" + good.url() + "\"} 1");
            // and the heartbeat tells the admin (GET /api/v1/nodes)
            Gateways.await("the heartbeat to report the ejection", () -> new NodeStore(Seed.database().dsl()).all()
                    .stream().flatMap(n -> n.targets().stream())
                    .anyMatch(target -> target.target().equals(bad.url()) && !target.healthy() && target.ejected()
                            && target.serviceId().equals(t.services.getFirst().id().toString())));
        }
    }

    @Test
    void withEveryTargetEjectedTheAnswerIsNoHealthyUpstream() throws IOException {
        String refused;
        try (ServerSocket socket = new ServerSocket(0)) {
            refused = "http://127.0.0.1:" + socket.getLocalPort();
        }
        var t = routeTo(outlier(2, 60_000), refused);

        assertThat(get(t)).isEqualTo(502);
        assertThat(get(t)).isEqualTo(502);
        String third = problemType(t);

        assertThat(third).startsWith("503 ").contains("/no-healthy-upstream");
    }

    @Test
    void openCircuitKeepsRequestsAwayThenAFailedTrialReopensItAndAGoodTrialClosesIt() throws Exception {
        AtomicBoolean failing = new AtomicBoolean(true);
        try (Upstream flapping = Upstream.answering(e -> Upstream.send(e, failing.get() ? 503 : 200, "{}"))) {
            var t = routeTo(breaker(2, 1_000, 1), flapping.url());

            assertThat(get(t)).isEqualTo(503);
            assertThat(get(t)).isEqualTo(503);
            // open: refused at the gateway, the upstream sees nothing more
            assertThat(problemType(t)).contains("/no-healthy-upstream");
            assertThat(flapping.seen).hasSize(2);

            // after the open period one trial goes through; it fails, so the circuit opens again
            Gateways.await("a half-open trial", () -> {
                try {
                    get(t);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return flapping.seen.size() == 3;
            });
            assertThat(problemType(t)).contains("/no-healthy-upstream");
            assertThat(flapping.seen).hasSize(3);

            // the upstream recovers: the next trial succeeds and closes the circuit
            failing.set(false);
            Gateways.await("the circuit to close", () -> {
                try {
                    return get(t) == 200;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            for (int i = 0; i < 5; i++) {
                assertThat(get(t)).isEqualTo(200);
            }
            String labels = "{service=\"" + t.services.getFirst().name() + "\",service_id=\""
                    + t.services.getFirst().id() + "\",target=\"" + flapping.url() + "\"}";
            assertThat(metrics()).contains("tollgate_upstream_target_circuit" + labels + " 0")
                    .contains("tollgate_upstream_target_healthy" + labels + " 1");
        }
    }

    @Test
    void breakerOffAndEjectionOffKeepSendingToAFailingTarget() throws IOException {
        try (Upstream bad = Upstream.answering(e -> Upstream.send(e, 500, "{}"))) {
            var t = routeTo(breaker(0, 1_000, 1), bad.url());

            for (int i = 0; i < 8; i++) {
                assertThat(get(t)).isEqualTo(500);
            }

            assertThat(bad.seen).hasSize(8);
        }
    }
}
