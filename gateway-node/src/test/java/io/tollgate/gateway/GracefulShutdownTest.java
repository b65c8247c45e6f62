package io.tollgate.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Stopping a node (what SIGTERM does): unready first, then no new requests, and no request in flight cut. */
class GracefulShutdownTest {
    @TempDir
    Path dir;

    @Test
    void stopReportsUnreadyRefusesNewRequestsAndLetsEveryRequestInFlightFinish() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        String body = "x".repeat(100_000);
        try (Upstream slow = Upstream.answering(e -> {
                 try {
                     answer.await(20, TimeUnit.SECONDS);
                 } catch (InterruptedException ex) {
                     Thread.currentThread().interrupt();
                 }
                 Upstream.send(e, 200, body);
             });
             Upstream fast = Upstream.ok();
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            // half a second of readiness down while still serving, then refuse; up to 20 s for requests in flight
            GatewayServer gateway = Gateways.start(dir.resolve("snapshot.json"),
                    Map.of("TOLLGATE_DRAIN_UNREADY_MS", "500", "TOLLGATE_DRAIN_TIMEOUT_MS", "20000"));
            var t = Seed.tenant();
            t.route(t.service(slow.url()), "/s", "none");
            t.route(t.service(fast.url()), "/f", "none");
            Gateways.awaitVersion(gateway, t.save());
            int port = gateway.port();
            int mgmtPort = gateway.mgmtPort();

            List<Future<RawHttp.Reply>> inFlight = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                inFlight.add(clients.submit(() -> RawHttp.get(port, t.host, "/s")));
            }
            Gateways.await("five requests at the upstream", () -> slow.seen.size() == 5);

            Future<?> stopping = clients.submit(gateway::stop);
            Gateways.await("readiness to go down", () -> {
                try {
                    return RawHttp.get(mgmtPort, "localhost", "/health/ready").status() == 503;
                } catch (IOException e) {
                    return false;
                }
            });
            assertThat(RawHttp.get(mgmtPort, "localhost", "/health/ready").text()).contains("DRAINING");
            // past the unready period new requests are refused (before: still served) while the five still run
            Gateways.await("new requests to be refused", () -> {
                try {
                    RawHttp.Reply reply = RawHttp.get(port, t.host, "/f");
                    return reply.status() == 503 && reply.text().contains("/unavailable");
                } catch (IOException e) {
                    return false;
                }
            });
            assertThat(stopping.isDone()).isFalse();
            assertThat(inFlight).noneMatch(Future::isDone);

            answer.countDown();
            stopping.get(20, TimeUnit.SECONDS);

            for (Future<RawHttp.Reply> reply : inFlight) {
                assertThat(reply.isDone()).isTrue();
                assertThat(reply.get().status()).isEqualTo(200);
                assertThat(reply.get().text()).isEqualTo(body);
            }
            assertThat(slow.seen).hasSize(5);
            // and the node is gone
            assertThat(catchThrowable(() -> RawHttp.get(port, t.host, "/f"))).isInstanceOf(ConnectException.class);
        }
    }
}
