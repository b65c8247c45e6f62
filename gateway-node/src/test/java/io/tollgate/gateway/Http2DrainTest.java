package io.tollgate.gateway;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Stopping a node under HTTP/2 clients (RFC 9113 section 6.8): each connection gets GOAWAY(NO_ERROR), first with
 * 2^31-1 when readiness goes down, then with the last stream the gateway accepted when it starts refusing; streams
 * already accepted finish, later ones are never processed, and gRPC clients never see an HTTP 503.
 */
class Http2DrainTest {
    private static final String SERVICE = "/tollgate.examples.orders.Orders";
    private static ExampleServices.Running orders;

    @TempDir
    Path dir;

    @BeforeAll
    static void startOrders() {
        orders = ExampleServices.goOrders();
    }

    @AfterAll
    static void stopOrders() {
        if (orders != null) {
            orders.close();
        }
    }

    /** A node that stays unready 300 ms before refusing, and gives requests in flight up to 20 s. */
    private GatewayServer drainingGateway(Map<String, String> more) {
        Map<String, String> env = new java.util.HashMap<>(more);
        env.put("TOLLGATE_DRAIN_UNREADY_MS", "300");
        env.put("TOLLGATE_DRAIN_TIMEOUT_MS", "20000");
        return Gateways.start(dir.resolve("snapshot.json"), env);
    }

    /** Waits until the node refuses new HTTP/1.1 requests: the drain is past its unready period. */
    private static void awaitRefusing(GatewayServer gateway, String host) {
        Gateways.await("new requests to be refused", () -> {
            try {
                return RawHttp.get(gateway.port(), host, "/nothing").status() == 503;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static ManagedChannel channel(GatewayServer gateway, String host) {
        return NettyChannelBuilder.forAddress("127.0.0.1", gateway.port()).usePlaintext().overrideAuthority(host)
                .build();
    }

    @Test
    void grpcStreamOpenWhenTheNodeStopsFinishesNormallyAndNewCallsAreUnavailable() throws Exception {
        GatewayServer gateway = drainingGateway(Map.of());
        var t = Seed.tenant();
        t.route(t.service(orders.grpcUrl(), "grpc", 30_000, 0), SERVICE, "none", null, null);
        Gateways.awaitVersion(gateway, t.save());
        ManagedChannel channel = channel(gateway, t.host);
        try (ExecutorService background = Executors.newVirtualThreadPerTaskExecutor()) {
            TradeCall call = TradeCall.start(channel);
            call.exchange(1, 1);

            Future<?> stopping = background.submit(gateway::stop);
            awaitRefusing(gateway, t.host);

            // a call started now, on the same channel: the node does not process it, and the client is told
            // UNAVAILABLE (retryable elsewhere), not an HTTP 503 turned into a status
            assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel,
                    ProtoMessage.method("GetOrder", MethodType.UNARY),
                    CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), ProtoMessage.of(1, 1)))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).as(e.getStatus().toString())
                                .isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(e.getStatus().toString()).doesNotContain("HTTP status code");
                    });

            // the call opened before the drain goes on both ways and ends normally
            call.exchange(2, 3);
            call.finish();
            stopping.get(20, TimeUnit.SECONDS);
        } finally {
            channel.shutdownNow();
            gateway.stop();
        }
    }

    @Test
    void h2cClientSeesGoAwayItsStreamInFlightCompletesAndALaterStreamIsNeverProcessed() throws Exception {
        GatewayServer gateway = drainingGateway(Map.of());
        goAwayScenario(gateway, (host, path) -> {
            RawH2 client = RawH2.connect(gateway.port());
            client.get(1, host, path);
            return client;
        });
    }

    @Test
    void h2cClientThatUpgradedFromHttp11SeesTheSameGoAways() throws Exception {
        GatewayServer gateway = drainingGateway(Map.of());
        goAwayScenario(gateway, (host, path) -> RawH2.upgrade(gateway.port(), host, path));
    }

    @Test
    void h2ClientOnTheHttpsListenerSeesTheSameGoAways() throws Exception {
        TestCertificates ca = TestCertificates.authority(dir);
        TestCertificates.Pair pair = ca.issue("drain", 3001, "ec");
        GatewayServer gateway = drainingGateway(Map.of("TOLLGATE_TLS_PORT", "0",
                "TOLLGATE_TLS_CERT", pair.cert().toString(), "TOLLGATE_TLS_KEY", pair.key().toString()));
        goAwayScenario(gateway, (host, path) -> {
            RawH2 client = RawH2.connectTls(gateway.tlsPort(), ca.clientContext());
            client.get(1, host, path);
            return client;
        });
    }

    /** Opens an HTTP/2 connection whose stream 1 is a GET of {@code path} at {@code host}. */
    private interface FirstStream {
        RawH2 open(String host, String path) throws IOException;
    }

    /**
     * Stream 1 is at a held upstream when the node stops: the client gets the notice, then the final GOAWAY naming
     * stream 1; a stream 3 sent after it never reaches the upstream, and stream 1 completes with the whole answer.
     */
    private void goAwayScenario(GatewayServer gateway, FirstStream firstStream) throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        try (Upstream slow = Upstream.heldUntil(answer, "done");
             ExecutorService background = Executors.newVirtualThreadPerTaskExecutor()) {
            var t = Seed.tenant();
            t.route(t.service(slow.url()), "/s", "none");
            Gateways.awaitVersion(gateway, t.save());

            // stream 1 (by upgrade: sent as HTTP/1.1, answered 101 at once, served as HTTP/2 stream 1)
            try (RawH2 client = firstStream.open(t.host, "/s/first")) {
                Gateways.await("the first request at the upstream", () -> slow.seen.size() == 1);
                Future<?> stopping = background.submit(gateway::stop);

                // readiness down: the shutdown notice, "stop opening streams here", with the largest stream id
                RawH2.Frame notice = client.next(RawH2.GOAWAY);
                assertThat(notice.goAwayErrorCode()).isZero();
                assertThat(notice.goAwayLastStreamId()).isEqualTo(Integer.MAX_VALUE);
                // refusing: the final GOAWAY names stream 1 as the last one the node processes
                RawH2.Frame last = client.next(RawH2.GOAWAY);
                assertThat(last.goAwayErrorCode()).isZero();
                assertThat(last.goAwayLastStreamId()).isEqualTo(1);

                // a stream the client opens anyway (say it had not read the GOAWAY yet) never reaches the upstream
                client.get(3, t.host, "/s/second");
                answer.countDown();
                RawH2.Frame headers = client.next(RawH2.HEADERS, RawH2.RST_STREAM);
                while (headers.streamId() != 1) {
                    headers = client.next(RawH2.HEADERS, RawH2.RST_STREAM);
                }
                assertThat(headers.type()).isEqualTo(RawH2.HEADERS);
                assertThat(client.status(headers)).isEqualTo(200);
                StringBuilder body = new StringBuilder();
                RawH2.Frame data;
                do {
                    data = client.next(RawH2.DATA);
                    if (data.streamId() == 1) {
                        body.append(new String(data.payload(), StandardCharsets.UTF_8));
                    }
                } while (data.streamId() != 1 || !data.endStream());
                assertThat(body.toString()).isEqualTo("done");

                stopping.get(20, TimeUnit.SECONDS);
                assertThat(slow.seen).hasSize(1);
                assertThat(slow.last().rawPath()).endsWith("/first");
            }
        } finally {
            gateway.stop();
        }
    }
}
