package io.tollgate.gateway;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bidirectional TradeOrders call of go-orders (examples/services), which answers each message with one carrying
 * the same text: the answers as they arrive, and how the call ended.
 */
final class TradeCall {
    final LinkedBlockingQueue<ProtoMessage> answers = new LinkedBlockingQueue<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final StreamObserver<ProtoMessage> requests;

    private TradeCall(Channel channel) {
        requests = ClientCalls.asyncBidiStreamingCall(channel.newCall(
                        ProtoMessage.method("TradeOrders", MethodType.BIDI_STREAMING),
                        CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS)),
                new StreamObserver<>() {
                    @Override
                    public void onNext(ProtoMessage value) {
                        answers.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
    }

    static TradeCall start(Channel channel) {
        return new TradeCall(channel);
    }

    /**
     * Ping-pong over messages {@code from..to}: each is sent only after the answer to the previous one came back,
     * so whatever is between client and server must carry both directions at once.
     */
    void exchange(int from, int to) throws InterruptedException {
        for (int i = from; i <= to; i++) {
            requests.onNext(ProtoMessage.of(1, "trade-" + i, 2, i));
            ProtoMessage answer = answers.poll(10, TimeUnit.SECONDS);
            assertThat(answer).as("answer to message %d before the client finished", i).isNotNull();
            assertThat(answer.text(2)).isEqualTo("trade-" + i);
        }
    }

    /** The client finishes; the call must then end normally. */
    void finish() throws Exception {
        requests.onCompleted();
        done.get(10, TimeUnit.SECONDS);
    }
}
