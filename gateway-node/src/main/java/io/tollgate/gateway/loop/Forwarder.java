package io.tollgate.gateway.loop;

import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.Response;
import io.tollgate.gateway.snapshot.RouteSpec;

import java.util.function.Consumer;

/** The forwarding step as an event loop runs it: without blocking (io.tollgate.gateway.proxy.LoopForwarder). */
public interface Forwarder {
    /** Whether requests on {@code route} can be forwarded on a loop; the others go to Helidon. */
    boolean serves(RouteSpec route);

    /**
     * Sends the exchange (the pipeline let it through) and calls {@code answer} once, on {@code loop}'s thread,
     * with the upstream's answer — its body a {@link LoopBody} — or the problem that stands for the failure.
     */
    void forward(Exchange exchange, EventLoop loop, Consumer<Response> answer);
}
