package io.tollgate.gateway.proxy;

import io.tollgate.common.problem.Problem;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.HttpFields;
import io.tollgate.gateway.pipeline.Response;
import io.tollgate.gateway.resilience.Deadline;
import io.tollgate.gateway.resilience.Outcome;
import io.tollgate.gateway.resilience.ServiceGuards;
import io.tollgate.gateway.resilience.TargetHealth;
import io.tollgate.gateway.snapshot.UpstreamPool;
import io.tollgate.gateway.tls.UpstreamTls;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * Forwards a WebSocket upgrade (io.tollgate.gateway.ws) to one target of the route's service, on a fresh
 * connection of its own (never pooled: after a 101 it carries WebSocket frames until one side closes). The request
 * keeps {@code Upgrade}, {@code Connection: Upgrade} and the {@code Sec-WebSocket-*} fields. A 101 answer hands the
 * connection to the exchange as its {@link io.tollgate.gateway.pipeline.Tunnel} and comes back as a bodiless 101
 * response carrying the upstream's fields plus {@code Upgrade}/{@code Connection}; any other answer is an ordinary
 * response (body streaming). Always HTTP/1.1 to the target, whatever the service's protocol: WebSocket over HTTP/2
 * (RFC 8441) is not spoken. An https target gets the upgrade over TLS (wss), with the same verification as any
 * other TLS connection to it. Not retried: one target is tried, and a target that cannot be connected gives 502.
 */
final class WebSocketForwarder {
    private static final System.Logger LOG = System.getLogger(WebSocketForwarder.class.getName());

    private WebSocketForwarder() {
    }

    static Response forward(Exchange exchange, UpstreamPool pool, ServiceGuards guards, Deadline deadline,
                            UpstreamTls tls, ReadTimeouts readTimeouts) {
        TargetHealth.Permit[] permit = new TargetHealth.Permit[1];
        UpstreamPool.Target target = pool.pick(null, t -> {
            permit[0] = guards.health(pool, t).tryAcquire(pool.resilience());
            return permit[0] != null;
        }, t -> guards.health(pool, t).inFlight());
        if (target == null) {
            return Response.problem(Problem.of(ProblemType.NO_HEALTHY_UPSTREAM, null));
        }
        exchange.target(target.url());
        UpstreamConnection connection;
        try {
            connection = UpstreamConnection.open(target, deadline.cap(pool.connectTimeout()), tls,
                    UpstreamConnection::close, readTimeouts);
        } catch (IOException | RuntimeException e) {
            permit[0].record(Outcome.CONNECT_FAILURE, pool.resilience());
            TlsFailures.report(target, e);
            LOG.log(System.Logger.Level.DEBUG, () -> "upstream " + target.url() + " not connected for WebSocket "
                    + "upgrade " + exchange.requestId() + ": " + e);
            return Response.problem(Problem.of(e instanceof SocketTimeoutException
                    ? ProblemType.UPSTREAM_TIMEOUT : ProblemType.UPSTREAM_UNAVAILABLE, null));
        }
        try {
            HeadBuffer head = connection.head();
            head.startRequest("GET", ProxyFilter.requestTarget(exchange, target),
                    target.authority());
            ProxyFilter.requestHeaders(exchange, head);   // hop-by-hop fields left out; the two below put back
            head.field("Connection", "Upgrade");
            head.field("Upgrade", exchange.requestHeaders().first("Upgrade"));
            long started = System.nanoTime();
            connection.send((byte[]) null);
            Duration readTimeout = deadline.cap(pool.readTimeout());
            UpstreamResponse upstream = connection.readResponse(false, readTimeout, true);
            exchange.upstreamNanos(System.nanoTime() - started);
            permit[0].record(upstream.status() >= 500 ? Outcome.SERVER_ERROR : Outcome.SUCCESS, pool.resilience());
            if (upstream.status() != 101) {
                return ProxyFilter.response(exchange, upstream);
            }
            exchange.tunnel(connection.detach());
            Response switched = ProxyFilter.response(exchange, upstream);
            HttpFields headers = switched.headers();
            headers.add("Connection", "Upgrade");
            String protocol = upstream.fields().first("Upgrade");
            headers.add("Upgrade", protocol == null ? exchange.requestHeaders().first("Upgrade") : protocol);
            return switched;
        } catch (IOException | RuntimeException e) {
            connection.close();
            boolean timedOut = e instanceof SocketTimeoutException;
            permit[0].record(timedOut ? Outcome.TIMEOUT : Outcome.RESET, pool.resilience());
            LOG.log(System.Logger.Level.DEBUG, () -> "upstream " + target.url() + " failed WebSocket upgrade "
                    + exchange.requestId() + ": " + e);
            return Response.problem(Problem.of(timedOut ? ProblemType.UPSTREAM_TIMEOUT
                    : ProblemType.UPSTREAM_UNAVAILABLE, null));
        }
    }
}
