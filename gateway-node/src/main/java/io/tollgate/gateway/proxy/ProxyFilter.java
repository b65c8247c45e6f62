package io.tollgate.gateway.proxy;

import io.tollgate.common.problem.Problem;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.gateway.pipeline.Body;
import io.tollgate.gateway.pipeline.Chain;
import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.Filter;
import io.tollgate.gateway.pipeline.HttpFields;
import io.tollgate.gateway.pipeline.Response;
import io.tollgate.gateway.proxy.RetryLoop.Failure;
import io.tollgate.gateway.resilience.Deadline;
import io.tollgate.gateway.resilience.ServiceGuards;
import io.tollgate.gateway.snapshot.UpstreamPool;
import io.tollgate.gateway.tls.UpstreamTls;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * Forwards the exchange to a target of the route's service and returns the upstream's answer with its body still
 * streaming. Connection refused or reset gives 502 {@code upstream-unavailable}, a connect or read timeout (or the
 * request's deadline passing) 504 {@code upstream-timeout}; upstream error details never reach the client, nor do
 * the response headers the route marks internal.
 *
 * <p>Retries (docs/gateway-resilience.md): only a request that may be sent twice is retried — GET, HEAD, OPTIONS,
 * PUT, DELETE, or one carrying {@code Idempotency-Key} — and only when the target could not be connected, the
 * connection broke before any response arrived, or the answer was 502, 503 or 504. A stalled upstream (read
 * timeout) is not retried: the request may be running there. Each retry goes to another target when there is one,
 * takes a token from the service's retry budget ({@link ServiceGuards#tryRetry}), waits a jittered
 * {@link Backoff}, and must fit in the request's {@link Deadline}. A POST without Idempotency-Key is sent at most
 * once, whatever fails. A request body is replayed only when it was small enough to keep ({@link #REPLAY_LIMIT});
 * a larger one is retried only when the first attempt never connected, so never read a byte of it. Connections
 * come from {@link UpstreamConnections}, which closes what it discards.
 *
 * <p>HTTP/1.1 to the upstream is spoken directly on the pooled sockets ({@link UpstreamConnection}): the request
 * head is written once from the exchange's fields, and the answer's fields are parsed once into the
 * {@link HttpFields} the response carries. The request line carries the raw path and raw query byte for byte.
 */
public final class ProxyFilter implements Filter, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ProxyFilter.class.getName());
    /** Upstream headers that reveal implementation details (lower case). */
    private static final String[] HIDDEN_RESPONSE_HEADERS = {"server", "x-powered-by"};
    /** Request headers the client sets for us, or that do not describe the forwarded request (lower case). */
    private static final String[] NOT_FORWARDED = {"host", "expect", "content-length",
            Deadline.HEADER.toLowerCase(Locale.ROOT), "grpc-timeout"};
    /** The largest request body kept in memory so that a retry can send it again. */
    static final int REPLAY_LIMIT = 64 * 1024;

    private final UpstreamConnections connections;
    private final ServiceGuards guards;
    private final UpstreamTls tls;
    private final RetryLoop loop;
    /** Services with protocol h2c or grpc go over HTTP/2 instead (docs/gateway-node.md, upstream protocols). */
    private final Http2Forwarder http2;

    /** With {@code tls} for https targets (the node's trust: {@link UpstreamTls}). */
    public ProxyFilter(ServiceGuards guards, UpstreamTls tls) {
        this.guards = guards;
        this.tls = tls;
        this.connections = new UpstreamConnections(tls);
        this.loop = new RetryLoop(guards);
        this.http2 = new Http2Forwarder(loop, tls);
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        if (exchange.forwardsLater()) {
            return Response.deferred();   // LoopForwarder sends it, on the event loop that read it
        }
        UpstreamPool pool = exchange.route().upstream();
        guards.recordRequest(pool);
        Deadline deadline = Deadline.of(exchange.startNanos(), exchange.route().deadline(),
                exchange.requestHeaders().first("grpc-timeout"));
        if (exchange.webSocketUpgrade()) {
            return WebSocketForwarder.forward(exchange, pool, guards, deadline, tls, connections.readTimeouts());
        }
        if (pool.protocol().http2()) {
            return http2.handle(exchange, pool, deadline);
        }
        boolean idempotent = RetryLoop.idempotent(exchange);
        byte[] replayBody = null;
        if (idempotent && exchange.hasBody() && exchange.contentLength() >= 0
                && exchange.contentLength() <= REPLAY_LIMIT) {
            try {
                replayBody = exchange.body().readNBytes(REPLAY_LIMIT + 1);
            } catch (IOException e) {
                return Response.problem(Problem.of(ProblemType.MALFORMED_REQUEST, null));
            }
        }
        boolean bodyReplayable = !exchange.hasBody() || replayBody != null;
        byte[] finalReplayBody = replayBody;

        return loop.run(exchange, pool, deadline, attempt -> idempotent && retryable(attempt, bodyReplayable),
                target -> attempt(exchange, pool, target, finalReplayBody, deadline));
    }

    /** For a request that may be sent twice: whether this attempt's failure is worth another. */
    static boolean retryable(RetryLoop.Attempt attempt, boolean bodyReplayable) {
        if (attempt.failure() == null) {
            return bodyReplayable && RetryLoop.retryableStatus(attempt.status());
        }
        return switch (attempt.failure()) {
            case NOT_CONNECTED -> true;
            case BROKEN -> bodyReplayable;
            // a stalled upstream may be running the request; REFUSED is HTTP/2's alone
            case TIMED_OUT, REFUSED -> false;
        };
    }

    /** One try: either the upstream's response (headers read, body not yet) or how it failed. */
    private record Attempt(Exchange exchange, UpstreamResponse upstream, Failure failure, boolean reusedConnection)
            implements RetryLoop.Attempt {
        @Override
        public int status() {
            return upstream == null ? 0 : upstream.status();
        }

        @Override
        public Response answer() {
            return response(exchange, upstream);
        }

        @Override
        public void discard() {
            if (upstream != null) {
                upstream.close();
            }
        }
    }

    private Attempt attempt(Exchange exchange, UpstreamPool pool, UpstreamPool.Target target, byte[] replayBody,
                            Deadline deadline) {
        exchange.target(target.url());
        UpstreamConnections.Lease lease;
        // a new connection may take no longer than the deadline leaves (the read timeout is capped likewise)
        Duration connectTimeout = deadline.isSet() && deadline.remaining().compareTo(pool.connectTimeout()) < 0
                ? deadline.remaining()
                : pool.connectTimeout();
        try {
            lease = connections.borrow(target, connectTimeout);
        } catch (IOException | RuntimeException e) {
            // Whatever the cause (refused, connect timeout, unknown host, failed TLS handshake), no byte of the
            // request left.
            TlsFailures.report(target, e);
            LOG.log(System.Logger.Level.DEBUG, () -> "upstream " + target.url() + " not connected for request "
                    + exchange.requestId() + ": " + e);
            // a connect cut short by the deadline is the deadline passing (504, not retried), not a refusal
            boolean deadlineCut = connectTimeout.compareTo(pool.connectTimeout()) < 0
                    && Failure.of(e) == Failure.TIMED_OUT;
            return new Attempt(exchange, null, deadlineCut ? Failure.TIMED_OUT : Failure.NOT_CONNECTED, false);
        }
        try {
            return new Attempt(exchange, forward(exchange, pool, target, lease, replayBody, deadline), null,
                    lease.reused());
        } catch (IOException | RuntimeException e) {
            lease.connection().close();
            Failure failure = Failure.of(e);
            LOG.log(System.Logger.Level.DEBUG, () -> "upstream " + target.url() + " failed for request "
                    + exchange.requestId() + ": " + e);
            return new Attempt(exchange, null, failure, lease.reused());
        }
    }

    private static UpstreamResponse forward(Exchange exchange, UpstreamPool pool, UpstreamPool.Target target,
                                            UpstreamConnections.Lease lease, byte[] replayBody, Deadline deadline)
            throws IOException {
        UpstreamConnection connection = lease.connection();
        HeadBuffer head = connection.head();
        head.startRequest(exchange.method(), requestTarget(exchange, target),
                target.authority());
        requestHeaders(exchange, head);
        deadlineFields(exchange, deadline, head);
        long started = System.nanoTime();
        if (replayBody != null) {
            connection.send(replayBody);
        } else if (exchange.hasBody()) {
            connection.send(exchange.body(), exchange.contentLength() < 0);
        } else {
            connection.send((byte[]) null);
        }
        UpstreamResponse upstream = connection.readResponse("HEAD".equals(exchange.method()),
                deadline.cap(pool.readTimeout()));
        exchange.upstreamNanos(System.nanoTime() - started);
        return upstream;
    }

    /**
     * With a deadline, what is left of it now, for this attempt: the upstream may give up early rather than work
     * for nothing.
     */
    static void deadlineFields(Exchange exchange, Deadline deadline, HeadBuffer head) {
        if (deadline.isSet()) {
            head.field(Deadline.HEADER, Long.toString(deadline.remaining().toMillis()));
            if (exchange.requestHeaders().contains("grpc-timeout")) {
                head.field("grpc-timeout", deadline.asGrpcTimeout());
            }
        }
    }

    static String requestTarget(Exchange exchange, UpstreamPool.Target target) {
        String path = exchange.rawPath();
        if (exchange.route().stripPrefix() && exchange.matchedPrefix() != null) {
            path = path.substring(exchange.matchedPrefix().length());
            if (!path.startsWith("/")) {
                path = "/" + path;
            }
        }
        if (!target.basePath().isEmpty()) {
            path = target.basePath() + path;
        }
        return exchange.rawQuery() == null ? path : path + "?" + exchange.rawQuery();
    }

    /** The client's fields less hop-by-hop and the ones set here, then Content-Length and X-Forwarded-*. */
    static void requestHeaders(Exchange exchange, HeadBuffer head) {
        HttpFields in = exchange.requestHeaders();
        Set<String> listed = HopByHop.listedIn(in);
        String priorFor = null;
        for (int i = 0, n = in.size(); i < n; i++) {
            String name = in.name(i);
            if (name.equalsIgnoreCase("X-Forwarded-For")) {
                priorFor = priorFor == null ? in.value(i) : priorFor + ", " + in.value(i);
            }
            if (forwarded(name, listed)) {
                head.field(name, in.value(i));
            }
        }
        if (exchange.hasBody() && exchange.contentLength() >= 0) {
            head.field("Content-Length", Long.toString(exchange.contentLength()));
        }
        String client = exchange.clientAddress();
        head.field("X-Forwarded-For", priorFor == null || priorFor.isEmpty() ? client : priorFor + ", " + client);
        head.field("X-Forwarded-Proto", exchange.scheme());
        if (exchange.host() != null) {
            head.field("X-Forwarded-Host", exchange.host());
        }
    }

    private static boolean forwarded(String name, Set<String> listed) {
        if (HopByHop.always(name) || name.regionMatches(true, 0, "x-forwarded-", 0, 12)) {
            return false;
        }
        // names are compared without lower-casing each (an allocation per field); only a Connection field that
        // lists names needs the lower-case form
        return !lowerIsOneOf(name, NOT_FORWARDED) && (listed.isEmpty() || !listed.contains(HttpFields.lower(name)));
    }

    /** Whether {@code name} lower-cased is one of {@code lowerCaseNames}. */
    private static boolean lowerIsOneOf(String name, String[] lowerCaseNames) {
        for (String lowerCase : lowerCaseNames) {
            if (HttpFields.lowerIs(name, lowerCase)) {
                return true;
            }
        }
        return false;
    }

    static Response response(Exchange exchange, UpstreamResponse upstream) {
        HttpFields headers = answerFields(exchange, upstream.fields());
        int status = upstream.status();
        if (bodiless(exchange, status)) {
            upstream.close();
            return Response.of(status, headers, null);
        }
        if (upstream.bodiless()) {
            // Content-Length: 0; the connection is free again at once
            upstream.close();
        }
        return Response.of(status, headers, Body.streaming(upstream.body(), upstream.length(), upstream::close));
    }

    /** Whether an answer to this request with this status has no body, whatever its fields say. */
    static boolean bodiless(Exchange exchange, int status) {
        return "HEAD".equals(exchange.method()) || status == 204 || status == 304 || status < 200;
    }

    /**
     * The upstream's answer fields the client gets: less hop-by-hop ones (and those Connection lists), the ones
     * that reveal the upstream's implementation, and the ones the route marks internal.
     */
    static HttpFields answerFields(Exchange exchange, HttpFields raw) {
        Set<String> listed = HopByHop.listedIn(raw);
        Set<String> internal = exchange.route().internalHeaders();
        HttpFields headers = new HttpFields();
        for (int i = 0, n = raw.size(); i < n; i++) {
            String name = raw.name(i);
            if (HopByHop.always(name)) {
                continue;
            }
            if (lowerIsOneOf(name, HIDDEN_RESPONSE_HEADERS)) {
                continue;
            }
            // the lower-case name only when a set of names is there to look it up in (most answers: none)
            if (!listed.isEmpty() || !internal.isEmpty()) {
                String lower = HttpFields.lower(name);
                if (listed.contains(lower) || internal.contains(lower)) {
                    continue;
                }
            }
            headers.add(name, raw.value(i));
        }
        return headers;
    }

    @Override
    public void close() {
        http2.close();
        connections.close();
    }

}
