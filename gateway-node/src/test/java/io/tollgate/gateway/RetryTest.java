package io.tollgate.gateway;

import io.tollgate.db.model.Route;
import io.tollgate.db.model.Service;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Retries against real upstreams that answer 503, reset the connection, stall, or refuse connections; every case
 * counts what reached the upstreams.
 */
class RetryTest extends WithGateway {

    private static Upstream unavailable() throws IOException {
        return Upstream.answering(exchange -> Upstream.send(exchange, 503, "{\"down\":true}"));
    }

    private static Upstream resetting() throws IOException {
        return Upstream.answering(exchange -> {
            throw new IOException("drop the connection without answering");
        });
    }

    private static Upstream stalling() throws IOException {
        return Upstream.answering(exchange -> {
            try {
                Thread.sleep(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Upstream.send(exchange, 200, "late");
        });
    }

    private static String refusing() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }
    }

    /** Ejection and breaker off: these cases watch retries alone (TargetHealthTest covers the other two). */
    private static final Service.Resilience RETRIES_ONLY = new Service.Resilience("round-robin", null, 0, 30_000, 0,
            10_000, 1, null, 10_000, 2_000, 2, 3);

    /** A tenant with one route /r on a service over {@code urls}, saved and live on the gateway. */
    private static Seed.TenantRows routeTo(int retries, int readTimeoutMs, String... urls) {
        var t = Seed.tenant();
        Service s = t.service(List.of(urls), retries, readTimeoutMs > 0 ? readTimeoutMs : 30_000, RETRIES_ONLY);
        t.route(s, "/r", "none");
        Gateways.awaitVersion(gateway, t.save());
        return t;
    }

    private static RawHttp.Reply post(Seed.TenantRows t, String... headers) throws IOException {
        return RawHttp.send(gateway.port(), "POST", t.host, "/r", "{\"n\":1}".getBytes(StandardCharsets.UTF_8),
                headers);
    }

    @Test
    void postWithoutIdempotencyKeyIsSentOnceWhenTheUpstreamAnswers503() throws IOException {
        try (Upstream a = unavailable(); Upstream b = unavailable()) {
            var t = routeTo(3, 0, a.url(), b.url());

            RawHttp.Reply reply = post(t);

            assertThat(reply.status()).isEqualTo(503);
            assertThat(a.seen.size() + b.seen.size()).isEqualTo(1);
        }
    }

    @Test
    void postWithoutIdempotencyKeyIsSentOnceWhenTheConnectionIsReset() throws IOException {
        try (Upstream a = resetting(); Upstream b = resetting()) {
            var t = routeTo(3, 0, a.url(), b.url());

            RawHttp.Reply reply = post(t);

            assertThat(reply.status()).isEqualTo(502);
            assertThat(a.seen.size() + b.seen.size()).isEqualTo(1);
        }
    }

    @Test
    void postWithoutIdempotencyKeyIsSentOnceWhenTheUpstreamStalls() throws IOException {
        try (Upstream a = stalling(); Upstream b = stalling()) {
            var t = routeTo(3, 200, a.url(), b.url());

            RawHttp.Reply reply = post(t);

            assertThat(reply.status()).isEqualTo(504);
            assertThat(a.seen.size() + b.seen.size()).isEqualTo(1);
        }
    }

    @Test
    void postWithoutIdempotencyKeyIsNotRetriedAfterAConnectFailure() throws IOException {
        try (Upstream ok = Upstream.ok()) {
            // round robin starts at the first target: the refused one
            var t = routeTo(3, 0, refusing(), ok.url());

            RawHttp.Reply reply = post(t);

            assertThat(reply.status()).isEqualTo(502);
            assertThat(ok.seen).isEmpty();
        }
    }

    @Test
    void getIsRetriedOnAnotherTargetAfterA503() throws IOException {
        try (Upstream down = unavailable(); Upstream ok = Upstream.ok()) {
            var t = routeTo(1, 0, down.url(), ok.url());

            // three: a quiet service's retry budget is its floor of 3 retries per window
            for (int i = 0; i < 3; i++) {
                assertThat(RawHttp.get(gateway.port(), t.host, "/r").status()).isEqualTo(200);
            }
            // a retry never goes back to the target that just failed
            assertThat(ok.seen).hasSize(3);
            assertThat(down.seen.size()).isBetween(1, 3);
        }
    }

    @Test
    void putIsRetriedAfterAResetWithItsBodyIntact() throws IOException {
        try (Upstream reset = resetting(); Upstream ok = Upstream.ok()) {
            var t = routeTo(1, 0, reset.url(), ok.url());

            RawHttp.Reply reply = RawHttp.send(gateway.port(), "PUT", t.host, "/r",
                    "{\"v\":42}".getBytes(StandardCharsets.UTF_8));

            assertThat(reply.status()).isEqualTo(200);
            assertThat(ok.seen).hasSize(1);
            assertThat(new String(ok.last().body(), StandardCharsets.UTF_8)).isEqualTo("{\"v\":42}");
        }
    }

    @Test
    void postWithIdempotencyKeyIsRetriedWithItsBodyAndKey() throws IOException {
        try (Upstream down = unavailable(); Upstream ok = Upstream.ok()) {
            var t = routeTo(1, 0, down.url(), ok.url());

            RawHttp.Reply reply = post(t, "Idempotency-Key", "order-77");

            assertThat(reply.status()).isEqualTo(200);
            assertThat(ok.seen).hasSize(1);
            assertThat(ok.last().header("Idempotency-Key")).isEqualTo("order-77");
            assertThat(new String(ok.last().body(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":1}");
            assertThat(down.seen.size()).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void stalledGetIsNotRetried() throws IOException {
        try (Upstream a = stalling(); Upstream b = stalling()) {
            var t = routeTo(3, 200, a.url(), b.url());

            RawHttp.Reply reply = RawHttp.get(gateway.port(), t.host, "/r");

            assertThat(reply.status()).isEqualTo(504);
            assertThat(a.seen.size() + b.seen.size()).isEqualTo(1);
        }
    }

    @Test
    void retriesStopAtTheServiceRetryCount() throws IOException {
        try (Upstream a = unavailable(); Upstream b = unavailable()) {
            var t = routeTo(2, 0, a.url(), b.url());

            RawHttp.Reply reply = RawHttp.get(gateway.port(), t.host, "/r");

            // the last answer goes back as it is
            assertThat(reply.status()).isEqualTo(503);
            assertThat(a.seen.size() + b.seen.size()).isEqualTo(3);
        }
    }

    @Test
    void retryBudgetCapsAmplificationDuringAFullOutage() throws IOException {
        try (Upstream a = unavailable(); Upstream b = unavailable()) {
            var t = routeTo(3, 0, a.url(), b.url());
            int requests = 100;

            for (int i = 0; i < requests; i++) {
                assertThat(RawHttp.get(gateway.port(), t.host, "/r").status()).isEqualTo(503);
            }

            // without a budget every request would be tried 4 times (400 at the upstreams); the budget allows
            // retries of at most 20% of the requests plus a floor of 3 per window
            int reached = a.seen.size() + b.seen.size();
            assertThat(reached).isBetween(requests, requests + requests / 5 + 3);
            // and the node says so
            String labels = "{service=\"" + t.services.getFirst().name() + "\",service_id=\""
                    + t.services.getFirst().id() + "\"} ";
            String metrics = RawHttp.get(gateway.mgmtPort(), "localhost", "/metrics").text();
            assertThat(metrics).contains("tollgate_upstream_retries_total" + labels + (reached - requests));
            assertThat(metrics).containsPattern("tollgate_upstream_retry_budget_exhausted_total"
                    + java.util.regex.Pattern.quote(labels) + "[1-9]");
        }
    }

    @Test
    void routeDeadlineBoundsAStalledRequestAndIsPassedUpstream() throws IOException {
        try (Upstream slow = stalling()) {
            var t = Seed.tenant();
            Service s = t.service(List.of(slow.url()), 0, 30_000, RETRIES_ONLY);
            Route r = t.route(s, "/d", "none");
            t.routes.removeLast();
            t.routes.add(new Route(r.id(), r.tenantId(), r.serviceId(), r.name(), r.hosts(), r.paths(), r.methods(),
                    r.stripPrefix(), r.auth(), null, null, null, 1, r.createdAt(), r.updatedAt(), 400));
            Gateways.awaitVersion(gateway, t.save());

            // the read timeout is 30 s: only the route's 400 ms deadline can end this early
            RawHttp.Reply reply = RawHttp.get(gateway.port(), t.host, "/d", "grpc-timeout", "10S");

            assertThat(reply.status()).isEqualTo(504);
            assertThat(Long.parseLong(slow.last().header("X-Tollgate-Deadline-Ms"))).isBetween(0L, 400L);
            // the shorter of route deadline and grpc-timeout wins, and grpc-timeout is rewritten to it
            assertThat(Long.parseLong(slow.last().header("grpc-timeout").replace("m", ""))).isBetween(0L, 400L);
        }
    }

    @Test
    void grpcTimeoutBoundsTheRequestAndTheRemainingBudgetGoesUpstream() throws IOException {
        try (Upstream slow = stalling(); Upstream ok = Upstream.ok()) {
            var stalled = routeTo(0, 30_000, slow.url());
            var fine = routeTo(0, 0, ok.url());

            RawHttp.Reply timedOut = RawHttp.get(gateway.port(), stalled.host, "/r", "grpc-timeout", "300m");
            RawHttp.Reply answered = RawHttp.get(gateway.port(), fine.host, "/r", "grpc-timeout", "5S");
            RawHttp.Reply noDeadline = RawHttp.get(gateway.port(), fine.host, "/r", "X-Tollgate-Deadline-Ms", "999999");

            assertThat(timedOut.status()).isEqualTo(504);
            assertThat(slow.last().header("X-Tollgate-Deadline-Ms")).isNotNull();
            assertThat(Long.parseLong(slow.last().header("X-Tollgate-Deadline-Ms"))).isBetween(0L, 300L);
            assertThat(answered.status()).isEqualTo(200);
            Upstream.Seen withDeadline = ok.seen.get(0);
            assertThat(Long.parseLong(withDeadline.header("X-Tollgate-Deadline-Ms"))).isBetween(1L, 5000L);
            assertThat(withDeadline.header("grpc-timeout")).matches("\\d+m");
            // a client cannot hand the upstream a deadline the gateway does not enforce
            assertThat(noDeadline.status()).isEqualTo(200);
            assertThat(ok.last().has("X-Tollgate-Deadline-Ms")).isFalse();
        }
    }

    /**
     * A listener that never accepts, with its accept queue filled by {@code held}: Linux drops the SYN of any
     * further connection (tcp_abort_on_overflow is 0 by default), so a connect to it stalls until its timeout.
     */
    private static ServerSocket neverAccepting(List<Socket> held) throws IOException {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        for (int i = 0; i < 16; i++) {
            Socket socket = new Socket();
            try {
                socket.connect(server.getLocalSocketAddress(), 200);
                held.add(socket);
            } catch (SocketTimeoutException stalled) {
                socket.close();
                return server;
            }
        }
        server.close();
        throw new IllegalStateException("connects to a full backlog do not stall on this machine");
    }

    @Test
    void routeDeadlineBoundsTheConnectTimeout() throws IOException {
        List<Socket> held = new ArrayList<>();
        try (ServerSocket stalled = neverAccepting(held)) {
            var t = Seed.tenant();
            // a 20 s connect timeout: only the route's 300 ms deadline can end the connect sooner
            Service s = t.service("http://127.0.0.1:" + stalled.getLocalPort(), 20_000, 30_000, 0);
            Route r = t.route(s, "/c", "none");
            t.routes.removeLast();
            t.routes.add(new Route(r.id(), r.tenantId(), r.serviceId(), r.name(), r.hosts(), r.paths(), r.methods(),
                    r.stripPrefix(), r.auth(), null, null, null, 1, r.createdAt(), r.updatedAt(), 300));
            Gateways.awaitVersion(gateway, t.save());

            long started = System.nanoTime();
            RawHttp.Reply reply = RawHttp.get(gateway.port(), t.host, "/c");
            long tookMs = (System.nanoTime() - started) / 1_000_000;

            assertThat(reply.status()).isEqualTo(504);
            // not a speed claim: a connect bounded by the service's 20 s timeout alone would take 20 s
            assertThat(tookMs).isLessThan(10_000);
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }
}
