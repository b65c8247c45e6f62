package io.tollgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.common.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The HTTPS listener (TOLLGATE_TLS_*): the same pipeline as the plain port over TLS, ALPN choosing h2 or
 * http/1.1, a bad pair refusing to start the node, and certificate files replaced while the node runs.
 */
class TlsListenerTest {
    @TempDir
    static Path dir;
    static TestCertificates ca;
    static TestCertificates.Pair rsa;
    static GatewayServer gateway;
    static Upstream upstream;

    @BeforeAll
    static void start() throws IOException {
        ca = TestCertificates.authority(dir);
        rsa = ca.issue("rsa", 1001, "rsa");
        upstream = Upstream.answering(exchange -> Upstream.send(exchange, 200, "{\"hello\":\"tls\"}"));
        gateway = Gateways.start(dir.resolve("snapshot.json"), tlsSettings(rsa.cert(), rsa.key(), "5000"));
    }

    @AfterAll
    static void stop() {
        gateway.stop();
        upstream.close();
    }

    static Map<String, String> tlsSettings(Path cert, Path key, String reloadMs) {
        Map<String, String> env = new HashMap<>();
        env.put("TOLLGATE_TLS_PORT", "0");
        env.put("TOLLGATE_TLS_CERT", cert.toString());
        env.put("TOLLGATE_TLS_KEY", key.toString());
        env.put("TOLLGATE_TLS_RELOAD_MS", reloadMs);
        return env;
    }

    @Test
    void httpsHttp11RequestWithKeyGoesThroughThePipeline() throws Exception {
        var t = Seed.tenant();
        t.route(t.service(upstream.url()), "/tls", "api-key");
        var key = t.key();
        Gateways.awaitVersion(gateway, t.save());

        Curl.Reply reply = curl(gateway.tlsPort(), "--http1.1", t.host, "/tls/items?b=2&a=1",
                "-H", "X-API-Key: " + key.plaintext());
        Curl.Reply denied = curl(gateway.tlsPort(), "--http1.1", t.host, "/tls/items");

        assertThat(reply.version()).isEqualTo("HTTP/1.1");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.text()).isEqualTo("{\"hello\":\"tls\"}");
        Upstream.Seen seen = upstream.last();
        assertThat(seen.rawQuery()).isEqualTo("b=2&a=1");
        assertThat(seen.header("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(seen.header("X-Forwarded-Host")).isEqualTo(t.host);
        assertThat(seen.has("X-API-Key")).isFalse();
        assertThat(denied.status()).isEqualTo(401);
        assertThat(denied.header("content-type")).isEqualTo("application/problem+json");
    }

    @Test
    void http2OverTlsIsNegotiatedByAlpnAndServesThePipeline() throws Exception {
        var t = Seed.tenant();
        t.route(t.service(upstream.url()), "/h2s", "api-key");
        var key = t.key();
        Gateways.awaitVersion(gateway, t.save());

        Curl.Reply reply = curl(gateway.tlsPort(), "--http2", t.host, "/h2s", "-H", "X-API-Key: " + key.plaintext());
        Curl.Reply denied = curl(gateway.tlsPort(), "--http2", t.host, "/h2s");

        assertThat(reply.version()).isEqualTo("HTTP/2");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.text()).isEqualTo("{\"hello\":\"tls\"}");
        assertThat(upstream.last().header("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(denied.version()).isEqualTo("HTTP/2");
        assertThat(denied.status()).isEqualTo(401);
        assertThat(denied.header("content-type")).isEqualTo("application/problem+json");
        assertThat(denied.headers()).extracting(h -> h[0]).doesNotContain("connection", "keep-alive",
                "transfer-encoding");
    }

    @Test
    void cachedAnswersAreKeptApartByScheme() throws Exception {
        try (Upstream proto = Upstream.answering(exchange -> Upstream.send(exchange, 200,
                "{\"proto\":\"" + exchange.getRequestHeaders().getFirst("X-Forwarded-Proto") + "\"}"))) {
            var t = Seed.tenant();
            t.cachedRoute(t.service(proto.url()), "/cached", "none",
                    new io.tollgate.db.model.Route.Cache(true, 60, false, 0, 0));
            Gateways.awaitVersion(gateway, t.save());

            RawHttp.Reply plain = RawHttp.get(gateway.port(), t.host, "/cached");
            Curl.Reply secure = curl(gateway.tlsPort(), "--http2", t.host, "/cached");
            Curl.Reply secureAgain = curl(gateway.tlsPort(), "--http1.1", t.host, "/cached");

            assertThat(plain.text()).isEqualTo("{\"proto\":\"http\"}");
            assertThat(secure.header("x-cache")).isEqualTo("MISS");
            assertThat(secure.text()).isEqualTo("{\"proto\":\"https\"}");
            assertThat(secureAgain.header("x-cache")).isEqualTo("HIT");
            assertThat(secureAgain.text()).isEqualTo("{\"proto\":\"https\"}");
            assertThat(proto.seen).hasSize(2);
        }
    }

    @Test
    void aWebSocketEchoWorksOverTls() throws Exception {
        try (WebSocketEcho echo = new WebSocketEcho()) {
            var t = Seed.tenant();
            String path = "/" + Seed.unique("wss");
            t.routeAnyHost(t.service(echo.url()), path, "api-key", null);   // java.net.http cannot set Host
            var key = t.key();
            Gateways.awaitVersion(gateway, t.save());
            java.util.concurrent.CompletableFuture<String> reply = new java.util.concurrent.CompletableFuture<>();
            try (HttpClient client = HttpClient.newBuilder().sslContext(ca.clientContext()).build()) {
                java.net.http.WebSocket ws = client.newWebSocketBuilder()
                        .header("X-API-Key", key.plaintext())
                        .buildAsync(URI.create("wss://localhost:" + gateway.tlsPort() + path + "/echo"),
                                new java.net.http.WebSocket.Listener() {
                                    @Override
                                    public java.util.concurrent.CompletionStage<?> onText(
                                            java.net.http.WebSocket socket, CharSequence data, boolean last) {
                                        reply.complete(data.toString());
                                        return null;
                                    }
                                })
                        .get(10, TimeUnit.SECONDS);
                ws.sendText("over tls", true).get(10, TimeUnit.SECONDS);
                assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("over tls");
                assertThat(echo.lastHandshake).containsEntry("x-forwarded-proto", "https");
                ws.abort();
            }
        }
    }

    @Test
    void javaHttpClientGetsHttp2OverTls() throws Exception {
        // java.net.http cannot set Host, so this reaches no tenant: the gateway's own 404, over HTTP/2
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                .sslContext(ca.clientContext()).build()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                    URI.create("https://localhost:" + gateway.tlsPort() + "/nothing-here")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
        }
    }

    @Test
    void alpnChoosesH2WhenOfferedAndHttp11Otherwise() throws Exception {
        try (SSLSocket both = handshake(gateway.tlsPort(), "h2", "http/1.1");
             SSLSocket http11 = handshake(gateway.tlsPort(), "http/1.1");
             SSLSocket none = handshake(gateway.tlsPort())) {
            assertThat(both.getApplicationProtocol()).isEqualTo("h2");
            assertThat(http11.getApplicationProtocol()).isEqualTo("http/1.1");
            assertThat(none.getApplicationProtocol()).isEmpty();
            assertThat(serial(both)).isEqualTo(rsa.serial());
            // the whole chain is sent: leaf, then the CA
            assertThat(both.getSession().getPeerCertificates()).hasSize(2);
            // a client without ALPN still speaks HTTP/1.1
            RawHttp.Reply reply = exchange(none, "nobody.example.test", "/x");
            assertThat(reply.status()).isEqualTo(404);
        }
    }

    @Test
    void certificateExpiryIsAMetricAndInReadiness() throws Exception {
        X509Certificate served;
        try (SSLSocket socket = handshake(gateway.tlsPort(), "http/1.1")) {
            served = (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
        long notAfter = served.getNotAfter().toInstant().getEpochSecond();

        assertThat(metrics(gateway)).contains("tollgate_tls_cert_not_after_seconds " + notAfter + "\n");
        JsonNode tls = Gateways.ready(gateway).path("tls");
        assertThat(tls.path("cert_serial").asText()).isEqualTo(rsa.serial().toString(16));
        assertThat(tls.path("cert_not_after").asText()).isEqualTo(served.getNotAfter().toInstant().toString());
    }

    @Test
    void replacedFilesServeTheNewCertificateWhileAnOpenConnectionKeepsWorking() throws Exception {
        TestCertificates.Pair first = ca.issue("swap-first", 2001, "rsa");
        TestCertificates.Pair second = ca.issue("swap-second", 2002, "ec");
        Path cert = dir.resolve("swap-live.pem");
        Path key = dir.resolve("swap-live.key");
        Files.copy(first.cert(), cert);
        Files.copy(first.key(), key);
        GatewayServer node = Gateways.start(dir.resolve("swap.json"), tlsSettings(cert, key, "200"));
        try (SSLSocket kept = handshake(node.tlsPort(), "http/1.1")) {
            var t = Seed.tenant();
            t.route(t.service(upstream.url()), "/swap", "none");
            Gateways.awaitVersion(node, t.save());
            assertThat(exchange(kept, t.host, "/swap").status()).isEqualTo(200);
            assertThat(serial(kept)).isEqualTo(first.serial());

            // key first, then certificate: the half-way state (new key, old cert) is a mismatch and is skipped
            TestCertificates.replace(second.key(), key);
            TestCertificates.replace(second.cert(), cert);
            Gateways.await("new handshakes to get the new certificate", () -> freshSerial(node).equals(second.serial()));

            RawHttp.Reply again = exchange(kept, t.host, "/swap");
            assertThat(again.status()).isEqualTo(200);
            assertThat(serial(kept)).isEqualTo(first.serial());
            assertThat(metrics(node)).contains("tollgate_tls_reloads_total{result=\"applied\"} 1\n");
            assertThat(Gateways.ready(node).path("tls").path("cert_serial").asText())
                    .isEqualTo(second.serial().toString(16));
            // and the new (EC) certificate serves the pipeline too, over h2
            Curl.Reply h2 = curl(node.tlsPort(), "--http2", t.host, "/swap");
            assertThat(h2.version()).isEqualTo("HTTP/2");
            assertThat(h2.status()).isEqualTo(200);
        } finally {
            node.stop();
        }
    }

    @Test
    void brokenReplacementIsRefusedAndTheOldCertificateKeepsServing() throws Exception {
        TestCertificates.Pair good = ca.issue("broken-good", 3001, "ec");
        TestCertificates.Pair other = ca.issue("broken-other", 3002, "ec");
        Path cert = dir.resolve("broken-live.pem");
        Path key = dir.resolve("broken-live.key");
        Files.copy(good.cert(), cert);
        Files.copy(good.key(), key);
        GatewayServer node = Gateways.start(dir.resolve("broken.json"), tlsSettings(cert, key, "200"));
        try (Gateways.CapturedLogs logs = Gateways.CapturedLogs.install()) {
            // a key that belongs to another certificate
            TestCertificates.replace(other.key(), key);
            Gateways.await("the mismatched key to be rejected",
                    () -> metrics(node).contains("tollgate_tls_reloads_total{result=\"rejected\"} 1\n"));
            assertThat(freshSerial(node)).isEqualTo(good.serial());
            assertThat(Gateways.ready(node).path("tls").path("last_rejection").asText())
                    .contains("does not match").contains(key.toString());

            // then a certificate file that is not a certificate
            Files.writeString(cert, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
            Gateways.await("the damaged certificate to be rejected",
                    () -> metrics(node).contains("tollgate_tls_reloads_total{result=\"rejected\"} 2\n"));
            assertThat(freshSerial(node)).isEqualTo(good.serial());
            assertThat(metrics(node)).contains("tollgate_tls_reloads_total{result=\"applied\"} 0\n");
            assertThat(logs.lines).anyMatch(l -> l.contains("HTTPS certificate change rejected")
                    && l.contains(cert.toString()));
            String otherKeyBody = Files.readString(other.key()).lines().filter(l -> !l.startsWith("-----"))
                    .findFirst().orElseThrow();
            assertThat(logs.lines).noneMatch(l -> l.contains(otherKeyBody));

            // putting the good pair back is a change like any other
            TestCertificates.replace(good.key(), key);
            TestCertificates.replace(good.cert(), cert);
            Gateways.await("the good pair to be applied",
                    () -> metrics(node).contains("tollgate_tls_reloads_total{result=\"applied\"} 1\n"));
            assertThat(Gateways.ready(node).path("tls").path("last_rejection").isNull()).isTrue();
        } finally {
            node.stop();
        }
    }

    @Test
    void unusableFilesStopTheNodeNamingTheFile() throws Exception {
        TestCertificates.Pair a = ca.issue("start-a", 4001, "ec");
        TestCertificates.Pair b = ca.issue("start-b", 4002, "ec");
        Path garbage = dir.resolve("garbage.pem");
        Files.writeString(garbage, "hello\n");
        Path pkcs1 = dir.resolve("pkcs1.key");
        Files.writeString(pkcs1, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        Path missing = dir.resolve("missing.pem");

        assertThatThrownBy(() -> Gateways.start(dir.resolve("s1.json"), tlsSettings(garbage, a.key(), "5000")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(garbage.toString());
        assertThatThrownBy(() -> Gateways.start(dir.resolve("s2.json"), tlsSettings(a.cert(), b.key(), "5000")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not match")
                .hasMessageContaining(b.key().toString());
        assertThatThrownBy(() -> Gateways.start(dir.resolve("s3.json"), tlsSettings(a.cert(), pkcs1, "5000")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(pkcs1.toString())
                .hasMessageContaining("pkcs8");
        assertThatThrownBy(() -> Gateways.start(dir.resolve("s4.json"), tlsSettings(missing, a.key(), "5000")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TOLLGATE_TLS_CERT")
                .hasMessageContaining(missing.toString());
        assertThatThrownBy(() -> Gateways.start(dir.resolve("s5.json"),
                Map.of("TOLLGATE_TLS_CERT", a.cert().toString())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TOLLGATE_TLS_KEY");
    }

    @Test
    void withoutTlsSettingsThereIsNoTlsListener() throws Exception {
        GatewayServer plain = Gateways.start(dir.resolve("plain.json"), Map.of());
        try {
            assertThat(plain.tlsPort()).isEqualTo(-1);
            assertThat(metrics(plain)).doesNotContain("tollgate_tls_");
            assertThat(Gateways.ready(plain).has("tls")).isFalse();
        } finally {
            plain.stop();
        }
    }

    private static String metrics(GatewayServer node) {
        try {
            return RawHttp.get(node.mgmtPort(), "localhost", "/metrics").text();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The serial of the certificate a brand-new connection (no session resumption) is given. */
    private static BigInteger freshSerial(GatewayServer node) {
        try (SSLSocket socket = handshake(node.tlsPort(), "http/1.1")) {
            return serial(socket);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static BigInteger serial(SSLSocket socket) throws IOException {
        return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }

    private static SSLSocket handshake(int port, String... alpn) throws IOException {
        SSLSocket socket = (SSLSocket) ca.clientContext().getSocketFactory().createSocket("localhost", port);
        socket.setSoTimeout(20_000);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        if (alpn.length > 0) {
            parameters.setApplicationProtocols(alpn);
        }
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    /** One keep-alive HTTP/1.1 GET on an open TLS connection. */
    private static RawHttp.Reply exchange(SSLSocket socket, String host, String target) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return RawHttp.read(socket.getInputStream(), "GET");
    }

    /** curl against https://localhost:{port} trusting the test CA, with {@code host} as Host / :authority. */
    private static Curl.Reply curl(int port, String mode, String host, String target, String... extra)
            throws Exception {
        List<String> options = new ArrayList<>(List.of(mode, "--cacert", ca.caCert.toString(), "-H", "Host: " + host));
        options.addAll(List.of(extra));
        return Curl.run(dir, "https://localhost:" + port + target, options);
    }
}
