package io.tollgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.common.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * REST over HTTP/2 (h2c, prior knowledge) to the real Rust (hyper) and Go (net/http + x/net/http2/h2c) services of
 * examples/services, for services whose protocol is {@code h2c}: the client speaks HTTP/1.1 to the gateway, the
 * gateway HTTP/2 to the upstream, with the same pipeline rules as HTTP/1.1 upstreams.
 */
class Http2UpstreamTest extends WithGateway {
    static ExampleServices.Running rust;
    static ExampleServices.Running go;

    @AfterAll
    static void stop() {
        if (rust != null) {
            rust.close();
        }
        if (go != null) {
            go.close();
        }
    }

    private static synchronized ExampleServices.Running rust() {
        if (rust == null) {
            rust = ExampleServices.rustInventory();
        }
        return rust;
    }

    private static synchronized ExampleServices.Running go() {
        if (go == null) {
            go = ExampleServices.goOrders();
        }
        return go;
    }

    private record Routed(Seed.TenantRows tenant, Seed.Key key) {
    }

    private static Routed route(String url, int readTimeoutMs, int retries) {
        Seed.TenantRows t = Seed.tenant();
        t.route(t.service(url, "h2c", readTimeoutMs, retries), "/", "api-key");
        Seed.Key key = t.key();
        Gateways.awaitVersion(gateway, t.save());
        return new Routed(t, key);
    }

    private static RawHttp.Reply send(Routed r, String method, String path, byte[] body) throws Exception {
        return RawHttp.send(gateway.port(), method, r.tenant().host, path, body, "X-API-Key", r.key().plaintext());
    }

    @Test
    void restCallReachesTheRustServiceOverHttp2() throws Exception {
        Routed r = route(rust().httpUrl(), 10_000, 0);

        RawHttp.Reply response = send(r, "GET", "/echo?b=2&a=1&flag", null);

        assertThat(response.status()).isEqualTo(200);
        JsonNode echo = Json.mapper().readTree(response.text());
        assertThat(echo.path("version").asText()).isEqualTo("HTTP/2.0");
        assertThat(echo.path("raw_query").asText()).isEqualTo("b=2&a=1&flag");
        assertThat(echo.path("request_id").asText()).isEqualTo(response.header("X-Request-Id"));
        // the credential stays at the gateway; the client's host is passed on as X-Forwarded-Host
        assertThat(echo.path("headers").has("x-api-key")).isFalse();
        assertThat(echo.path("headers").path("x-forwarded-host").asText()).startsWith(r.tenant().host);
    }

    @Test
    void requestBodyStreamsToTheRustServiceOverHttp2() throws Exception {
        Routed r = route(rust().httpUrl(), 10_000, 0);
        byte[] body = new byte[3 * 1024 * 1024 + 17];
        new java.util.Random(8).nextBytes(body);

        RawHttp.Reply response = send(r, "POST", "/echo", body);

        assertThat(response.status()).isEqualTo(200);
        assertThat(Json.mapper().readTree(response.text()).path("body_bytes").asLong()).isEqualTo(body.length);
    }

    @Test
    void goServiceAnswersOverH2c() throws Exception {
        Routed r = route(go().httpUrl(), 10_000, 0);

        RawHttp.Reply order = send(r, "GET", "/orders/1", null);
        RawHttp.Reply echo = send(r, "GET", "/echo", null);

        assertThat(order.status()).isEqualTo(200);
        assertThat(Json.mapper().readTree(order.text()).path("order").path("item").asText()).isEqualTo("espresso");
        assertThat(Json.mapper().readTree(echo.text()).path("proto").asText()).isEqualTo("HTTP/2.0");
    }

    @Test
    void concurrentRequestsShareOneMultiplexedConnection() throws Exception {
        Routed r = route(go().httpUrl(), 10_000, 0);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        List<Future<RawHttp.Reply>> answers = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            answers.add(pool.submit(() -> send(r, "GET", "/slow?ms=300", null)));
        }
        for (Future<RawHttp.Reply> answer : answers) {
            assertThat(answer.get().status()).isEqualTo(200);
        }
        pool.shutdown();

        // 24 requests in flight at once went over one or two HTTP/2 connections (HTTP/1.1 would need 24)
        assertThat(establishedConnectionsTo(go().httpPort())).isBetween(1L, 2L);
    }

    /** TCP connections in state ESTABLISHED whose remote port is {@code port}, from /proc/net/tcp (Linux). */
    private static long establishedConnectionsTo(int port) throws Exception {
        String hexPort = String.format(":%04X", port);
        long n = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path file = Path.of(table);
            if (!java.nio.file.Files.exists(file)) {
                continue;
            }
            for (String line : java.nio.file.Files.readAllLines(file)) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[2].endsWith(hexPort) && "01".equals(f[3])) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void upstreamSlowerThanTheReadTimeoutIs504() throws Exception {
        Routed r = route(rust().httpUrl(), 300, 0);

        RawHttp.Reply response = send(r, "GET", "/slow?ms=3000", null);

        assertThat(response.status()).isEqualTo(504);
        assertThat(response.text()).contains("upstream-timeout");
    }

    @Test
    void stalledStreamIs504WhileItsConnectionGoesOnServingTheOthers() throws Exception {
        Routed r = route(go().httpUrl(), 400, 0);
        assertThat(send(r, "GET", "/orders/1", null).status()).isEqualTo(200);
        long connections = establishedConnectionsTo(go().httpPort());
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();

        // the waits are untimed parks: only the deadline ticker can end the stalled one
        Future<RawHttp.Reply> stalled = pool.submit(() -> send(r, "GET", "/slow?ms=5000", null));
        Future<RawHttp.Reply> quick = pool.submit(() -> send(r, "GET", "/slow?ms=50", null));

        RawHttp.Reply timedOut = stalled.get(4, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(timedOut.status()).isEqualTo(504);
        assertThat(timedOut.text()).contains("upstream-timeout");
        assertThat(quick.get().status()).isEqualTo(200);
        // the stalled stream was cancelled, not the connection it shared
        assertThat(send(r, "GET", "/orders/1", null).status()).isEqualTo(200);
        assertThat(establishedConnectionsTo(go().httpPort())).isEqualTo(connections);
        pool.shutdown();
    }

    @Test
    void upstreamThatResetsTheStreamIs502() throws Exception {
        Routed r = route(go().httpUrl(), 10_000, 0);

        RawHttp.Reply response = send(r, "GET", "/orders/1?reset=1", null);

        assertThat(response.status()).isEqualTo(502);
        assertThat(response.text()).contains("upstream-unavailable");
    }

    @Test
    void upstreamErrorStatusIsPassedThrough() throws Exception {
        Routed r = route(rust().httpUrl(), 10_000, 0);

        RawHttp.Reply response = send(r, "GET", "/items/1?status=503", null);

        assertThat(response.status()).isEqualTo(503);
    }
}
