package io.tollgate.gateway;

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
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * gRPC through the gateway to the real Go server of examples/services/go-orders (grpc-go), with grpc-java as the
 * client: all four call kinds, the upstream's status, message and metadata (headers and trailers) arriving
 * intact, deadlines, and the gateway's own refusals as gRPC status codes.
 */
class GrpcProxyTest extends WithGateway {
    private static final String SERVICE = "/tollgate.examples.orders.Orders";
    private static final Metadata.Key<String> LOOKUP = Metadata.Key.of("x-order-lookup", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> DETAIL = Metadata.Key.of("x-order-detail", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> SENT = Metadata.Key.of("x-watch-sent", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> API_KEY = Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> REQUEST_ID =
            Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);

    static ExampleServices.Running orders;
    static final List<ManagedChannel> channels = new ArrayList<>();

    @BeforeAll
    static void start() {
        orders = ExampleServices.goOrders();
    }

    @AfterAll
    static void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        if (orders != null) {
            orders.close();
        }
    }

    /** A tenant with the orders service (protocol grpc) routed at the service's path prefix, behind API keys. */
    private static final class Setup {
        final Seed.TenantRows tenant = Seed.tenant();
        final Seed.Key key;

        Setup(String targetUrl, Integer deadlineMs, Integer rate) {
            var service = tenant.service(targetUrl, "grpc", 10_000, 0);
            tenant.route(service, SERVICE, "api-key", deadlineMs, rate);
            key = tenant.key();
        }

        Setup save() {
            Gateways.awaitVersion(gateway, tenant.save());
            return this;
        }

        /** A channel to the gateway that names this tenant's host as :authority, sending {@code metadata}. */
        Channel channel(Metadata metadata, AtomicReference<Metadata> headers, AtomicReference<Metadata> trailers) {
            ManagedChannel managed = NettyChannelBuilder.forAddress("127.0.0.1", gateway.port())
                    .usePlaintext()
                    .overrideAuthority(tenant.host)
                    .build();
            channels.add(managed);
            return ClientInterceptors.intercept(managed, MetadataUtils.newAttachHeadersInterceptor(metadata),
                    MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));
        }

        Channel withKey() {
            return channel(keyMetadata(), new AtomicReference<>(), new AtomicReference<>());
        }

        Metadata keyMetadata() {
            Metadata metadata = new Metadata();
            metadata.put(API_KEY, key.plaintext());
            return metadata;
        }
    }

    private static Setup setup() {
        return new Setup(orders.grpcUrl(), null, null).save();
    }

    @Test
    void unaryCallReachesTheGoServerWithTheGatewaysRequestId() {
        Setup s = setup();
        AtomicReference<Metadata> headers = new AtomicReference<>();
        Channel channel = s.channel(s.keyMetadata(), headers, new AtomicReference<>());

        ProtoMessage order = ClientCalls.blockingUnaryCall(channel, ProtoMessage.method("GetOrder", MethodType.UNARY),
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), ProtoMessage.of(1, 1));

        assertThat(order.text(2)).isEqualTo("espresso");
        // the server saw the request id the gateway gave the call, and the client got the same one back
        assertThat(order.text(4)).isNotEmpty().isEqualTo(headers.get().get(REQUEST_ID));
    }

    @Test
    void callsAreCountedInMetricsByMethodAndGrpcStatus() {
        Setup s = setup();
        Channel channel = s.withKey();
        ClientCalls.blockingUnaryCall(channel, ProtoMessage.method("GetOrder", MethodType.UNARY), CallOptions.DEFAULT,
                ProtoMessage.of(1, 1));
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel,
                ProtoMessage.method("GetOrder", MethodType.UNARY), CallOptions.DEFAULT, ProtoMessage.of(1, 999_999)))
                .isInstanceOf(StatusRuntimeException.class);
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(
                s.channel(new Metadata(), new AtomicReference<>(), new AtomicReference<>()),
                ProtoMessage.method("GetOrder", MethodType.UNARY), CallOptions.DEFAULT, ProtoMessage.of(1, 1)))
                .isInstanceOf(StatusRuntimeException.class);

        String route = s.tenant.routes.get(0).name();
        String prefix = "tollgate_grpc_calls_total{tenant=\"" + s.tenant.slug + "\",route=\"" + route
                + "\",grpc_service=\"tollgate.examples.orders.Orders\",grpc_method=\"GetOrder\",grpc_status=";
        Gateways.await("gRPC calls in /metrics", () -> {
            String metrics = metrics();
            return metrics.contains(prefix + "\"0\"} 1") && metrics.contains(prefix + "\"5\"} 1")
                    && metrics.contains(prefix + "\"16\"} 1");
        });
    }

    private static String metrics() {
        try {
            return RawHttp.get(gateway.mgmtPort(), "localhost", "/metrics").text();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void bearerKeyInAuthorizationMetadataIsAccepted() {
        Setup s = setup();
        Metadata metadata = new Metadata();
        metadata.put(AUTHORIZATION, "Bearer " + s.key.plaintext());
        Channel channel = s.channel(metadata, new AtomicReference<>(), new AtomicReference<>());

        ProtoMessage created = ClientCalls.blockingUnaryCall(channel,
                ProtoMessage.method("CreateOrder", MethodType.UNARY), CallOptions.DEFAULT,
                ProtoMessage.of(1, "cortado", 2, 3));

        assertThat(created.text(2)).isEqualTo("cortado");
        assertThat(created.number(3)).isEqualTo(3);
    }

    @Test
    void upstreamErrorStatusMessageAndMetadataArriveIntact() {
        Setup s = setup();
        AtomicReference<Metadata> headers = new AtomicReference<>();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        Channel channel = s.channel(s.keyMetadata(), headers, trailers);

        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel,
                ProtoMessage.method("GetOrder", MethodType.UNARY), CallOptions.DEFAULT, ProtoMessage.of(1, 999_999)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).isEqualTo("no order 999999");
                });
        // grpc-go sends the header metadata and the trailers of an error together, Trailers-Only
        Metadata all = new Metadata();
        if (headers.get() != null) {
            all.merge(headers.get());
        }
        all.merge(trailers.get());
        assertThat(all.get(LOOKUP)).isEqualTo("miss");
        assertThat(all.get(DETAIL)).startsWith("searched ");
    }

    @Test
    void serverStreamingMessagesArriveAsTheServerSendsThem() {
        Setup s = setup();
        AtomicReference<Metadata> trailers = new AtomicReference<>();
        Channel channel = s.channel(s.keyMetadata(), new AtomicReference<>(), trailers);

        Iterator<ProtoMessage> stream = ClientCalls.blockingServerStreamingCall(channel,
                ProtoMessage.method("WatchOrders", MethodType.SERVER_STREAMING),
                CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), ProtoMessage.of(1, 3, 2, 1_000));
        List<String> items = new ArrayList<>();
        List<Long> arrivals = new ArrayList<>();
        while (stream.hasNext()) {
            items.add(stream.next().text(2));
            arrivals.add(System.nanoTime());
        }

        assertThat(items).containsExactly("watched-1", "watched-2", "watched-3");
        // sent 1 s apart (2 s from first to last): had the gateway buffered the answer, all three would arrive
        // together; half of that spacing leaves room for a loaded machine
        assertThat(TimeUnit.NANOSECONDS.toMillis(arrivals.get(2) - arrivals.get(0))).isGreaterThanOrEqualTo(1_000);
        assertThat(trailers.get().get(SENT)).isEqualTo("3");
    }

    @Test
    void clientStreamingCountsEveryMessageSent() throws Exception {
        Setup s = setup();
        CompletableFuture<ProtoMessage> summary = new CompletableFuture<>();
        StreamObserver<ProtoMessage> requests = ClientCalls.asyncClientStreamingCall(
                s.withKey().newCall(ProtoMessage.method("CreateOrders", MethodType.CLIENT_STREAMING),
                        CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS)),
                observer(summary));
        for (int i = 1; i <= 5; i++) {
            requests.onNext(ProtoMessage.of(1, "bulk-" + i, 2, i));
        }
        requests.onCompleted();

        ProtoMessage result = summary.get(20, TimeUnit.SECONDS);
        assertThat(result.number(1)).isEqualTo(5);
        assertThat(result.number(2)).isEqualTo(15);
    }

    @Test
    void bidirectionalCallAnswersEachMessageBeforeTheClientHasFinished() throws Exception {
        Setup s = setup();
        // ping-pong: the next message is sent only after the answer to the previous one came back through the
        // gateway, which therefore must carry both directions at once
        TradeCall call = TradeCall.start(s.withKey());
        call.exchange(1, 3);
        call.finish();
    }

    @Test
    void routeDeadlineShorterThanTheUpstreamsWorkIsDeadlineExceeded() {
        Setup s = new Setup(orders.grpcUrl(), 400, null).save();

        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(s.withKey(),
                ProtoMessage.method("GetOrder", MethodType.UNARY), CallOptions.DEFAULT,
                ProtoMessage.of(1, 1, 2, 5_000)))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    }

    @Test
    void clientDeadlineReachesTheUpstreamAsGrpcTimeout() {
        Setup s = setup();
        long started = System.nanoTime();

        // the Go server waits for its context: only a grpc-timeout it received can end the wait early
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(s.withKey(),
                ProtoMessage.method("GetOrder", MethodType.UNARY),
                CallOptions.DEFAULT.withDeadlineAfter(500, TimeUnit.MILLISECONDS), ProtoMessage.of(1, 1, 2, 5_000)))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(4_000);
    }

    @Test
    void missingKeyIsUnauthenticated() {
        Setup s = setup();
        Channel channel = s.channel(new Metadata(), new AtomicReference<>(), new AtomicReference<>());

        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel,
                ProtoMessage.method("GetOrder", MethodType.UNARY), CallOptions.DEFAULT, ProtoMessage.of(1, 1)))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.UNAUTHENTICATED));
    }

    @Test
    void keyOfAnotherTenantIsPermissionDenied() {
        Setup s = setup();
        Setup other = setup();
        Metadata metadata = new Metadata();
        metadata.put(API_KEY, other.key.plaintext());
        Channel channel = s.channel(metadata, new AtomicReference<>(), new AtomicReference<>());

        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel,
                ProtoMessage.method("GetOrder", MethodType.UNARY), CallOptions.DEFAULT, ProtoMessage.of(1, 1)))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.PERMISSION_DENIED));
    }

    @Test
    void routeRateLimitIsResourceExhausted() {
        Setup s = new Setup(orders.grpcUrl(), null, 1).save();
        Channel channel = s.withKey();
        ClientCalls.blockingUnaryCall(channel, ProtoMessage.method("GetOrder", MethodType.UNARY),
                CallOptions.DEFAULT, ProtoMessage.of(1, 1));

        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel,
                ProtoMessage.method("GetOrder", MethodType.UNARY), CallOptions.DEFAULT, ProtoMessage.of(1, 1)))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    }

    @Test
    void methodWithoutARouteIsUnimplemented() {
        Setup s = setup();
        var method = io.grpc.MethodDescriptor.<ProtoMessage, ProtoMessage>newBuilder()
                .setType(MethodType.UNARY)
                .setFullMethodName("tollgate.examples.other.Elsewhere/Nothing")
                .setRequestMarshaller(ProtoMessage.MARSHALLER)
                .setResponseMarshaller(ProtoMessage.MARSHALLER)
                .build();

        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(s.withKey(), method, CallOptions.DEFAULT,
                ProtoMessage.of(1, 1)))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.UNIMPLEMENTED));
    }

    @Test
    void upstreamThatRefusesConnectionsIsUnavailable() throws Exception {
        int closedPort;
        try (var socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Setup s = new Setup("http://127.0.0.1:" + closedPort, null, null).save();

        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(s.withKey(),
                ProtoMessage.method("GetOrder", MethodType.UNARY), CallOptions.DEFAULT, ProtoMessage.of(1, 1)))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    private static <T> StreamObserver<T> observer(CompletableFuture<T> result) {
        return new StreamObserver<>() {
            private T last;

            @Override
            public void onNext(T value) {
                last = value;
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                result.complete(last);
            }
        };
    }
}
