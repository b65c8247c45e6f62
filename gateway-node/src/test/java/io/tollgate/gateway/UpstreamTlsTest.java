package io.tollgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.tollgate.common.json.Json;
import io.tollgate.db.model.Service;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;

import static io.tollgate.gateway.HealthVerdicts.checked;
import static io.tollgate.gateway.HealthVerdicts.health;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * TLS from the gateway to upstreams (https targets): HTTP/1.1 to a JDK HTTPS server, HTTP/2 and gRPC over TLS to
 * the real go-orders with a certificate from a test CA, which the node trusts through TOLLGATE_UPSTREAM_CA_FILE.
 * A certificate from another CA, one naming another host, and a server that will not speak h2 are connect
 * failures: 502 (gRPC: UNAVAILABLE), and the upstream sees no request.
 */
class UpstreamTlsTest {
    private static final Metadata.Key<String> API_KEY = Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> DETAIL =
            Metadata.Key.of("x-order-detail", Metadata.ASCII_STRING_MARSHALLER);

    @TempDir
    static Path dir;
    static GatewayServer gateway;
    static TestCertificates ca;
    static TestCertificates.Pair trusted;
    static SSLContext trustedServer;
    static SSLContext otherCaServer;
    static SSLContext otherNameServer;
    static ExampleServices.Running go;
    static final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        ca = TestCertificates.authority(Files.createDirectories(dir.resolve("ca")));
        trusted = ca.issue("upstream", 11, "ec");
        trustedServer = TestCertificates.serverContext(trusted);
        otherNameServer = TestCertificates.serverContext(ca.issue("elsewhere", 12, "ec", "DNS:elsewhere.test"));
        TestCertificates other = TestCertificates.authority(Files.createDirectories(dir.resolve("other-ca")));
        otherCaServer = TestCertificates.serverContext(other.issue("stranger", 13, "ec"));
        gateway = Gateways.start(dir.resolve("snapshot.json"), Map.of("TOLLGATE_UPSTREAM_CA_FILE",
                ca.caCert.toString()));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        if (go != null) {
            go.close();
        }
        if (gateway != null) {
            gateway.stop();
        }
    }

    private static synchronized ExampleServices.Running go() {
        if (go == null) {
            go = ExampleServices.goOrdersTls(trusted.cert(), trusted.key());
        }
        return go;
    }

    /** Answers with the request body as it arrived, and the request's query in a header. */
    private static Upstream echo(SSLContext tls) throws IOException {
        Upstream upstream = Upstream.https(tls, exchange -> {
            byte[] body = Upstream.body(exchange);
            exchange.getResponseHeaders().add("X-Query", String.valueOf(exchange.getRequestURI().getRawQuery()));
            exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        closing.add(upstream);
        return upstream;
    }

    private record Routed(Seed.TenantRows tenant, Seed.Key key) {
        RawHttp.Reply send(String method, String path, byte[] body) throws IOException {
            return RawHttp.send(gateway.port(), method, tenant.host, path, body, "X-API-Key", key.plaintext());
        }
    }

    private static Routed route(String url, String protocol) {
        Seed.TenantRows t = Seed.tenant();
        // the connect timeout covers the TLS handshake too, and a node's first handshakes load the TLS classes: on
        // a busy test machine that can take a second
        t.route(t.service(url, protocol, 5_000, 10_000, 0), "/", "api-key");
        Seed.Key key = t.key();
        Gateways.awaitVersion(gateway, t.save());
        return new Routed(t, key);
    }

    @Test
    void anUnreadableOrEmptyCaBundleStopsTheNodeNamingTheSetting() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty-bundle.pem"), "no certificate in here\n");
        Path missing = dir.resolve("no-such-bundle.pem");

        for (Path bundle : List.of(empty, missing)) {
            assertThatThrownBy(() -> Gateways.start(dir.resolve("unused-snapshot.json"),
                    Map.of("TOLLGATE_UPSTREAM_CA_FILE", bundle.toString())))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("TOLLGATE_UPSTREAM_CA_FILE")
                    .hasMessageContaining(bundle.toString());
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // HTTP/1.1 over TLS
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void http1GetAndPostGoThroughTlsByteForByte() throws IOException {
        Upstream upstream = echo(trustedServer);
        Routed r = route(upstream.url(), "http1");
        byte[] body = new byte[200_003];
        new Random(17).nextBytes(body);

        RawHttp.Reply get = r.send("GET", "/things/%7Eraw?b=2&a=%2F1", null);
        RawHttp.Reply post = r.send("POST", "/things", body);

        assertThat(get.status()).isEqualTo(200);
        assertThat(get.header("X-Query")).isEqualTo("b=2&a=%2F1");
        assertThat(upstream.seen.get(0).rawPath()).isEqualTo("/things/%7Eraw");
        assertThat(post.status()).isEqualTo(200);
        assertThat(upstream.seen.get(1).body()).isEqualTo(body);
        assertThat(post.body()).isEqualTo(body);
        // the Host the upstream saw is the target's, as for plain targets
        assertThat(upstream.seen.get(1).header("Host")).isEqualTo("localhost:" + upstream.port());
    }

    @Test
    void sequentialRequestsReuseOneTlsConnection() throws IOException {
        Upstream upstream = echo(trustedServer);
        Routed r = route(upstream.url(), "http1");

        for (int i = 0; i < 5; i++) {
            assertThat(r.send("GET", "/n/" + i, null).status()).isEqualTo(200);
        }

        assertThat(upstream.seen).hasSize(5);
        assertThat(upstream.connections).hasSize(1);
    }

    @Test
    void aPooledTlsConnectionTheUpstreamClosedIsNotUsedForTheNextRequest() throws Exception {
        javax.net.ssl.SSLServerSocket server = (javax.net.ssl.SSLServerSocket) trustedServer.getServerSocketFactory()
                .createServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        closing.add(server);
        java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    java.net.Socket socket = server.accept();
                    accepted.incrementAndGet();
                    Thread.ofVirtual().start(() -> answerOnceThenClose(socket));
                } catch (IOException e) {
                    return;
                }
            }
        });
        Routed r = route("https://localhost:" + server.getLocalPort(), "http1");

        assertThat(r.send("POST", "/one", "a".getBytes()).status()).isEqualTo(200);
        // the upstream closes its side (close_notify, FIN) 50 ms after answering, keep-alive notwithstanding; the
        // pool checks a connection idle for longer than 100 ms before lending it again
        Thread.sleep(500);
        RawHttp.Reply second = r.send("POST", "/two", "b".getBytes());

        // a POST is never retried: had the closed connection been lent, this would be 502
        assertThat(second.status()).isEqualTo(200);
        assertThat(accepted.get()).isEqualTo(2);
    }

    /** Reads one request (head and Content-Length body), answers 200 "ok" without Connection: close, then closes. */
    private static void answerOnceThenClose(java.net.Socket socket) {
        try (socket) {
            java.io.InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                head.append((char) b);
            }
            java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)")
                    .matcher(head);
            in.readNBytes(length.find() ? Integer.parseInt(length.group(1)) : 0);
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            out.flush();
            Thread.sleep(50);
        } catch (IOException e) {
            // the gateway went away: nothing to answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void tlsUpstreamSlowerThanTheReadTimeoutIs504() throws IOException {
        Upstream slow = Upstream.https(trustedServer, exchange -> {
            try {
                Thread.sleep(3_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Upstream.send(exchange, 200, "{\"late\":true}");
        });
        closing.add(slow);
        Seed.TenantRows t = Seed.tenant();
        t.route(t.service(slow.url(), "http1", 300, 0), "/", "api-key");
        Seed.Key key = t.key();
        Gateways.awaitVersion(gateway, t.save());

        RawHttp.Reply reply = new Routed(t, key).send("GET", "/slow", null);

        assertThat(reply.status()).isEqualTo(504);
        assertThat(reply.text()).contains("upstream-timeout");
    }

    /**
     * A TLS server that never finishes its handshake: after the ClientHello it announces a 16 KiB handshake record,
     * then sends it one byte every 100 ms. Every socket read gets a byte long before any read timeout, so only a
     * bound on the whole handshake ends it.
     */
    private static java.net.ServerSocket drippingTlsServer() throws IOException {
        java.net.ServerSocket server = new java.net.ServerSocket(0);
        closing.add(server);
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    java.net.Socket socket = server.accept();
                    Thread.ofVirtual().start(() -> {
                        try (socket) {
                            socket.getInputStream().read(new byte[4096]);   // the ClientHello
                            OutputStream out = socket.getOutputStream();
                            out.write(new byte[] {0x16, 0x03, 0x03, 0x40, 0x00});
                            for (int i = 0; i < 600; i++) {
                                out.write(0);
                                out.flush();
                                Thread.sleep(100);
                            }
                        } catch (IOException | InterruptedException e) {
                            // the gateway gave up: what the test wants
                        }
                    });
                }
            } catch (IOException closed) {
                // the test is over
            }
        });
        return server;
    }

    @Test
    void aHandshakeDrippedByteByByteEndsAtTheRouteDeadlineOverHttp1AndH2() throws Exception {
        java.net.ServerSocket dripping = drippingTlsServer();
        String url = "https://localhost:" + dripping.getLocalPort();
        for (String protocol : List.of("http1", "h2")) {
            Seed.TenantRows t = Seed.tenant();
            // connect timeout 1000 ms, route deadline 400 ms: TCP and TLS together get what the deadline leaves
            t.route(t.service(url, protocol, 10_000, 0), "/", "api-key", 400, null);
            Seed.Key key = t.key();
            Gateways.awaitVersion(gateway, t.save());

            // the bound is a liveness guard: without a limit on the whole handshake the request hangs for minutes
            RawHttp.Reply reply = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                    java.time.Duration.ofSeconds(30), () -> new Routed(t, key).send("GET", "/slow", null), protocol);

            assertThat(reply.status()).as(protocol).isEqualTo(504);
            assertThat(reply.text()).as(protocol).contains("upstream-timeout");
        }
    }

    @Test
    void certificateFromAnUntrustedCaIs502AndNothingIsSent() throws IOException {
        Upstream upstream = echo(otherCaServer);
        Routed r = route(upstream.url(), "http1");

        try (Gateways.CapturedLogs logs = Gateways.CapturedLogs.install()) {
            RawHttp.Reply reply = r.send("POST", "/orders", "{\"item\":\"tea\"}".getBytes());

            assertThat(reply.status()).isEqualTo(502);
            assertThat(reply.text()).contains("upstream-unavailable").doesNotContain("PKIX")
                    .doesNotContain("localhost");
            assertThat(upstream.seen).isEmpty();
            assertThat(logs.lines).anyMatch(l -> l.contains("TLS to upstream " + upstream.url() + " failed"));
        }
    }

    @Test
    void certificateForAnotherHostNameIs502AndNothingIsSent() throws IOException {
        Upstream upstream = echo(otherNameServer);
        Routed r = route(upstream.url(), "http1");

        RawHttp.Reply reply = r.send("GET", "/orders", null);

        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.text()).contains("upstream-unavailable");
        assertThat(upstream.seen).isEmpty();
    }

    @Test
    void ipLiteralTargetIsVerifiedAgainstTheCertificatesIpAddress() throws IOException {
        Upstream upstream = echo(trustedServer);
        Routed byIp = route("https://127.0.0.1:" + upstream.port(), "http1");

        assertThat(byIp.send("GET", "/ip", null).status()).isEqualTo(200);
        assertThat(upstream.seen).hasSize(1);
    }

    // ------------------------------------------------------------------------------------------------------------
    // HTTP/2 over TLS
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void h2ServiceSpeaksHttp2OverTlsToGo() throws IOException {
        String url = "https://localhost:" + go().httpPort();
        Routed h2 = route(url, "h2");
        Routed http1 = route(url, "http1");

        RawHttp.Reply overH2 = h2.send("GET", "/echo?x=1", null);
        RawHttp.Reply overHttp1 = http1.send("GET", "/echo?x=1", null);

        assertThat(overH2.status()).isEqualTo(200);
        JsonNode echo = Json.mapper().readTree(overH2.text());
        assertThat(echo.path("proto").asText()).isEqualTo("HTTP/2.0");
        assertThat(echo.path("raw_query").asText()).isEqualTo("x=1");
        assertThat(Json.mapper().readTree(overHttp1.text()).path("proto").asText()).isEqualTo("HTTP/1.1");
    }

    @Test
    void h2ToAServerThatDoesNotSelectH2Is502AndNothingIsSent() throws IOException {
        Upstream upstream = echo(trustedServer);   // the JDK server answers no ALPN: HTTP/1.1 only
        Routed r = route(upstream.url(), "h2");

        try (Gateways.CapturedLogs logs = Gateways.CapturedLogs.install()) {
            RawHttp.Reply reply = r.send("GET", "/orders", null);

            assertThat(reply.status()).isEqualTo(502);
            assertThat(reply.text()).contains("upstream-unavailable");
            assertThat(upstream.seen).isEmpty();
            assertThat(logs.lines).anyMatch(l -> l.contains(upstream.url()) && l.contains("did not select HTTP/2"));
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // gRPC over TLS
    // ------------------------------------------------------------------------------------------------------------

    private static Channel grpcChannel(Routed r, AtomicReference<Metadata> trailers) {
        ManagedChannel managed = NettyChannelBuilder.forAddress("127.0.0.1", gateway.port())
                .usePlaintext()
                .overrideAuthority(r.tenant().host)
                .build();
        closing.add(managed::shutdownNow);
        Metadata metadata = new Metadata();
        metadata.put(API_KEY, r.key().plaintext());
        return ClientInterceptors.intercept(managed, MetadataUtils.newAttachHeadersInterceptor(metadata),
                MetadataUtils.newCaptureMetadataInterceptor(new AtomicReference<>(), trailers));
    }

    private static Routed grpcRoute(String url) {
        Seed.TenantRows t = Seed.tenant();
        t.route(t.service(url, "grpc", 10_000, 0), "/tollgate.examples.orders.Orders", "api-key");
        Seed.Key key = t.key();
        Gateways.awaitVersion(gateway, t.save());
        return new Routed(t, key);
    }

    @Test
    void grpcUnaryCallsReachGoOverTlsWithTheirStatusAndTrailers() {
        Routed r = grpcRoute("https://localhost:" + go().grpcPort());
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        Channel channel = grpcChannel(r, trailers);

        ProtoMessage order = ClientCalls.blockingUnaryCall(channel, ProtoMessage.method("GetOrder", MethodType.UNARY),
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), ProtoMessage.of(1, 1));
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel,
                ProtoMessage.method("GetOrder", MethodType.UNARY), CallOptions.DEFAULT, ProtoMessage.of(1, 999_999)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).isEqualTo("no order 999999");
                });

        assertThat(order.text(2)).isEqualTo("espresso");
        assertThat(trailers.get().get(DETAIL)).startsWith("searched ");
    }

    @Test
    void grpcBidirectionalCallStreamsBothWaysOverTls() throws Exception {
        Routed r = grpcRoute("https://localhost:" + go().grpcPort());
        TradeCall call = TradeCall.start(grpcChannel(r, new AtomicReference<>()));
        call.exchange(1, 3);
        call.finish();
    }

    @Test
    void grpcToAnUntrustedUpstreamIsUnavailable() throws IOException {
        Upstream upstream = echo(otherCaServer);
        Routed r = grpcRoute(upstream.url());

        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(grpcChannel(r, new AtomicReference<>()),
                ProtoMessage.method("GetOrder", MethodType.UNARY), CallOptions.DEFAULT, ProtoMessage.of(1, 1)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                        assertThat(e.getStatus().getCode()).as(e.getStatus().toString())
                                .isEqualTo(Status.Code.UNAVAILABLE));
        assertThat(upstream.seen).isEmpty();
    }

    @Test
    void webSocketUpgradeToAnHttpsTargetIsPassedThroughOverTls() throws Exception {
        WebSocketEcho wss = new WebSocketEcho(trustedServer);
        closing.add(wss);
        Seed.TenantRows t = Seed.tenant();
        String path = "/" + Seed.unique("wss");
        t.routeAnyHost(t.service(wss.url()), path, "api-key", null);
        Seed.Key key = t.key();
        Gateways.awaitVersion(gateway, t.save());
        LinkedBlockingQueue<String> texts = new LinkedBlockingQueue<>();

        java.net.http.WebSocket ws = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .header("X-API-Key", key.plaintext())
                .buildAsync(java.net.URI.create("ws://127.0.0.1:" + gateway.port() + path + "/echo"),
                        new java.net.http.WebSocket.Listener() {
                            @Override
                            public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket socket,
                                                                                  CharSequence data, boolean last) {
                                texts.add(data.toString());
                                socket.request(1);
                                return null;
                            }
                        })
                .get(10, TimeUnit.SECONDS);
        ws.sendText("over tls", true).get(10, TimeUnit.SECONDS);

        assertThat(texts.poll(10, TimeUnit.SECONDS)).isEqualTo("over tls");
        assertThat(wss.accepted.get()).isEqualTo(1);
        ws.abort();
    }

    // ------------------------------------------------------------------------------------------------------------
    // health checks over TLS
    // ------------------------------------------------------------------------------------------------------------

    @Test
    void healthChecksRunOverTlsAndAnUntrustedTargetFailsThem() throws IOException {
        Upstream untrusted = echo(otherCaServer);
        String http1Url = "https://localhost:" + go().httpPort();
        String grpcUrl = "https://localhost:" + go().grpcPort();
        var t = Seed.tenant();
        Service http1 = t.service(http1Url, "http1", checked("/healthz"));
        Service h2 = t.service(http1Url, "h2", checked("/healthz"));
        Service grpc = t.service(grpcUrl, "grpc", checked("/grpc.health.v1.Health/Check"));
        Service bad = t.service(untrusted.url(), "http1", checked("/healthz"));
        t.route(http1, "/a", "none");
        t.route(h2, "/b", "none");
        t.route(grpc, "/tollgate.examples.orders.Orders", "none");
        t.route(bad, "/d", "none");
        Gateways.awaitVersion(gateway, t.save());

        Gateways.await("the untrusted target marked unhealthy",
                () -> "0".equals(health(gateway, bad, untrusted.url())));
        // had TLS failed for the others too, they would have flipped at about the same time: give them longer
        try {
            Thread.sleep(600);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // the same checks, over verified TLS, pass: the others are still healthy after the bad one flipped
        assertThat(health(gateway, http1, http1Url)).isEqualTo("1");
        assertThat(health(gateway, h2, http1Url)).isEqualTo("1");
        assertThat(health(gateway, grpc, grpcUrl)).isEqualTo("1");
        assertThat(untrusted.seen).isEmpty();
    }
}
