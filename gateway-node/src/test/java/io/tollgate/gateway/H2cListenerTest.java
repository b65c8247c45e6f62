package io.tollgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.common.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * h2c on the gateway listener, driven by curl (nghttp2): prior knowledge and the HTTP/1.1 Upgrade reach the same
 * pipeline as HTTP/1.1, and HTTP/2 answers carry no connection-specific headers.
 */
class H2cListenerTest {
    private static final List<String> CONNECTION_SPECIFIC = List.of("connection", "keep-alive", "proxy-connection",
            "transfer-encoding", "upgrade", "te", "trailer");

    @TempDir
    static Path dir;
    static GatewayServer gateway;
    static Upstream upstream;

    @BeforeAll
    static void start() throws IOException {
        upstream = Upstream.answering(exchange -> {
            // headers a proxy must never pass on, whatever the client's protocol
            exchange.getResponseHeaders().add("Keep-Alive", "timeout=5");
            exchange.getResponseHeaders().add("X-Upstream", "yes");
            if ("POST".equals(exchange.getRequestMethod())) {
                // echo the body back, chunked (length unknown)
                byte[] body = upstream.last().body();
                exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
                exchange.sendResponseHeaders(200, 0);
                try (var out = exchange.getResponseBody()) {
                    for (int i = 0; i < body.length; i += 65_536) {
                        out.write(body, i, Math.min(65_536, body.length - i));
                        out.flush();
                    }
                }
                return;
            }
            Upstream.send(exchange, 200, "{\"hello\":\"h2\"}");
        });
        gateway = Gateways.start(dir.resolve("snapshot.json"), Map.of());
    }

    @AfterAll
    static void stop() {
        gateway.stop();
        upstream.close();
    }

    @Test
    void priorKnowledgeWithKeyIsProxied() throws Exception {
        var t = Seed.tenant();
        t.route(t.service(upstream.url()), "/h2", "api-key");
        var key = t.key();
        Gateways.awaitVersion(gateway, t.save());

        Curl.Reply reply = curl("--http2-prior-knowledge", t.host, "/h2/items?b=2&a=1",
                "-H", "X-API-Key: " + key.plaintext(), "-H", "X-Request-Id: req-h2-1");

        assertThat(reply.version()).isEqualTo("HTTP/2");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.text()).isEqualTo("{\"hello\":\"h2\"}");
        assertThat(reply.header("x-upstream")).isEqualTo("yes");
        assertThat(reply.header("x-request-id")).isEqualTo("req-h2-1");
        assertNoConnectionSpecificHeaders(reply);
        Upstream.Seen seen = upstream.last();
        assertThat(seen.rawPath()).isEqualTo("/h2/items");
        assertThat(seen.rawQuery()).isEqualTo("b=2&a=1");
        assertThat(seen.has("X-API-Key")).isFalse();
        assertThat(seen.header("X-Forwarded-Host")).isEqualTo(t.host);
    }

    @Test
    void priorKnowledgeWithoutKeyGetsProblemJson401() throws Exception {
        var t = Seed.tenant();
        t.route(t.service(upstream.url()), "/h2", "api-key");
        Gateways.awaitVersion(gateway, t.save());
        int before = upstream.seen.size();

        Curl.Reply reply = curl("--http2-prior-knowledge", t.host, "/h2/items");

        assertThat(reply.version()).isEqualTo("HTTP/2");
        assertThat(reply.status()).isEqualTo(401);
        assertThat(reply.header("content-type")).isEqualTo("application/problem+json");
        JsonNode problem = Json.mapper().readTree(reply.body());
        assertThat(problem.path("status").asInt()).isEqualTo(401);
        assertThat(reply.header("x-request-id")).isNotBlank();
        assertThat(problem.path("instance").asText()).isEqualTo(reply.header("x-request-id"));
        assertNoConnectionSpecificHeaders(reply);
        assertThat(upstream.seen.size()).isEqualTo(before);
    }

    @Test
    void unknownHostOverH2GetsProblemJson() throws Exception {
        Curl.Reply reply = curl("--http2-prior-knowledge", "nobody.example.test", "/anything");

        assertThat(reply.version()).isEqualTo("HTTP/2");
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.header("content-type")).isEqualTo("application/problem+json");
        assertNoConnectionSpecificHeaders(reply);
    }

    @Test
    void upgradeFromHttp11WithKeyIsProxiedAndWithoutKeyIs401() throws Exception {
        var t = Seed.tenant();
        t.route(t.service(upstream.url()), "/up", "api-key");
        var key = t.key();
        Gateways.awaitVersion(gateway, t.save());

        Curl.Reply ok = curl("--http2", t.host, "/up", "-H", "X-API-Key: " + key.plaintext());
        Curl.Reply denied = curl("--http2", t.host, "/up");

        assertThat(ok.upgraded()).isTrue();
        assertThat(ok.version()).isEqualTo("HTTP/2");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.text()).isEqualTo("{\"hello\":\"h2\"}");
        assertNoConnectionSpecificHeaders(ok);
        assertThat(denied.upgraded()).isTrue();
        assertThat(denied.version()).isEqualTo("HTTP/2");
        assertThat(denied.status()).isEqualTo(401);
        assertThat(denied.header("content-type")).isEqualTo("application/problem+json");
        assertNoConnectionSpecificHeaders(denied);
    }

    @Test
    void largeRequestBodyAndStreamedAnswerPassIntact() throws Exception {
        var t = Seed.tenant();
        t.route(t.service(upstream.url()), "/echo", "api-key");
        var key = t.key();
        Gateways.awaitVersion(gateway, t.save());
        byte[] sent = new byte[3 * 1024 * 1024 + 17];
        new Random(8).nextBytes(sent);
        Path file = dir.resolve("upload.bin");
        Files.write(file, sent);

        Curl.Reply reply = curl("--http2-prior-knowledge", t.host, "/echo", "-H", "X-API-Key: " + key.plaintext(),
                "-H", "Content-Type: application/octet-stream", "--data-binary", "@" + file);

        assertThat(reply.version()).isEqualTo("HTTP/2");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(sha256(upstream.last().body())).isEqualTo(sha256(sent));
        assertThat(reply.body().length).isEqualTo(sent.length);
        assertThat(sha256(reply.body())).isEqualTo(sha256(sent));
        assertNoConnectionSpecificHeaders(reply);
    }

    @Test
    void managementPortSpeaksH2cToo() throws Exception {
        Curl.Reply reply = curl(gateway.mgmtPort(), "--http2-prior-knowledge", "localhost", "/health/ready");

        assertThat(reply.version()).isEqualTo("HTTP/2");
        assertThat(reply.status()).isEqualTo(200);
    }

    @Test
    void drainingNodeSendsNoConnectionCloseOverH2ButGoAway() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Upstream slow = Upstream.heldUntil(release, "{}");
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            GatewayServer draining = Gateways.start(dir.resolve("draining.json"),
                    Map.of("TOLLGATE_DRAIN_UNREADY_MS", "1500", "TOLLGATE_DRAIN_TIMEOUT_MS", "20000"));
            var t = Seed.tenant();
            t.route(t.service(slow.url()), "/slow", "none");
            t.route(t.service(upstream.url()), "/fast", "none");
            Gateways.awaitVersion(draining, t.save());
            int port = draining.port();
            Future<RawHttp.Reply> inFlight = clients.submit(() -> RawHttp.get(port, t.host, "/slow"));
            Gateways.await("the slow request at the upstream", () -> slow.seen.size() == 1);

            Future<?> stopping = clients.submit(draining::stop);
            Gateways.await("readiness to go down",
                    () -> Gateways.ready(draining).path("http_status").asInt() == 503);
            // unready but still serving: HTTP/1.1 gets Connection: close, HTTP/2 must not (it gets the GOAWAY
            // notice, with which curl's request is still served)
            Curl.Reply served = curl(port, "--http2-prior-knowledge", t.host, "/fast");
            assertThat(served.status()).isEqualTo(200);
            assertNoConnectionSpecificHeaders(served);
            // then refusing new requests: HTTP/1.1 gets 503, a new HTTP/2 connection GOAWAY(NO_ERROR) naming no
            // stream, so whatever it sends is never processed (curl reports a framing error and exits 16)
            Gateways.await("new requests to be refused", () -> {
                try {
                    return RawHttp.get(port, t.host, "/fast").status() == 503;
                } catch (IOException e) {
                    return false;
                }
            });
            try (RawH2 late = RawH2.connect(port)) {
                RawH2.Frame goAway = late.next(RawH2.GOAWAY);
                assertThat(goAway.goAwayErrorCode()).isZero();
                assertThat(goAway.goAwayLastStreamId()).isZero();
            }

            release.countDown();
            stopping.get(20, TimeUnit.SECONDS);
            assertThat(inFlight.get().status()).isEqualTo(200);
        }
    }

    private static void assertNoConnectionSpecificHeaders(Curl.Reply reply) {
        assertThat(reply.headers()).extracting(h -> h[0]).doesNotContainAnyElementsOf(CONNECTION_SPECIFIC);
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /**
     * Runs curl against the gateway port with {@code mode} ({@code --http2-prior-knowledge} or {@code --http2},
     * which upgrades) and the extra curl arguments.
     */
    private static Curl.Reply curl(String mode, String host, String target, String... extra) throws Exception {
        return curl(gateway.port(), mode, host, target, extra);
    }

    private static Curl.Reply curl(int port, String mode, String host, String target, String... extra)
            throws Exception {
        List<String> options = new ArrayList<>(List.of(mode, "-H", "Host: " + host));
        options.addAll(List.of(extra));
        return Curl.run(dir, "http://127.0.0.1:" + port + target, options);
    }
}
