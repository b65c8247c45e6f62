package io.tollgate.gateway.proxy;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Header;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.Method;
import io.helidon.http.WritableHeaders;
import io.helidon.http.http2.Http2ErrorCode;
import io.helidon.http.http2.Http2Exception;
import io.helidon.http.http2.Http2FrameData;
import io.helidon.http.http2.Http2Headers;
import io.helidon.webclient.http2.StreamTimeoutException;
import io.tollgate.common.problem.Problem;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.gateway.pipeline.Body;
import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.HttpFields;
import io.tollgate.gateway.pipeline.Response;
import io.tollgate.gateway.proxy.RetryLoop.Failure;
import io.tollgate.gateway.resilience.Deadline;
import io.tollgate.gateway.snapshot.UpstreamPool;
import io.tollgate.gateway.tls.UpstreamTls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * Forwards an exchange to a service whose protocol is {@code h2c}, {@code h2} or {@code grpc}: one HTTP/2 stream
 * per attempt on a shared connection ({@link Http2Connections}, TLS for https targets), with the same rules as the HTTP/1.1 path in
 * {@link ProxyFilter} — target picking, outlier ejection and breakers, the request's {@link Deadline}, the
 * service's read timeout (longest wait for the next frame), 502 for refused/reset/broken, 504 for timeouts.
 *
 * <p>Both directions stream at once: a body of unknown or large length is copied to the upstream by a virtual
 * thread of its own while the caller reads the answer, so a bidirectional gRPC call works (the upstream may answer
 * before the client has finished sending); a small body of declared length (a unary call) is read first and sent
 * with the headers in one write, without a thread. Waits for the answer are untimed parks that the connection's
 * reader or {@link ReadTimeouts} ends. The answer's trailers (gRPC's {@code grpc-status}, {@code grpc-message} and custom
 * metadata) are handed on through {@link Body#trailers()}.
 *
 * <p>Retries: a stream the upstream reset with {@code REFUSED_STREAM} was not processed (RFC 9113 section 8.7),
 * so it is retried whatever the method, when its body can be sent again (none, or small with a declared length).
 * Everything else follows the HTTP/1.1 rules: only idempotent requests (or ones with {@code Idempotency-Key}) are
 * retried on a broken stream or a 502/503/504 answer; a connect failure is always retried. gRPC calls are POSTs,
 * so a gRPC call is only retried when it never reached the upstream.
 */
final class Http2Forwarder implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Http2Forwarder.class.getName());
    private static final Set<String> HIDDEN_RESPONSE_HEADERS = Set.of("server", "x-powered-by");
    /** Not forwarded: set by us (host becomes :authority), or connection-specific in HTTP/2. */
    private static final Set<String> NOT_FORWARDED = Set.of("host", "expect", "content-length",
            Deadline.HEADER.toLowerCase(Locale.ROOT), "grpc-timeout", "http2-settings");
    private static final int CHUNK = 16 * 1024;

    private final Http2Connections connections;
    private final RetryLoop loop;

    Http2Forwarder(RetryLoop loop, UpstreamTls tls) {
        this.loop = loop;
        this.connections = new Http2Connections(tls);
    }

    /**
     * One try: the answer (headers read, body not yet) or how it failed; {@code malformed} when the upstream
     * answered with fields that cannot be passed on (BROKEN, but never retried: the upstream processed it).
     */
    private record Attempt(Response response, Failure failure, boolean reusedConnection, int status,
                           boolean malformed) implements RetryLoop.Attempt {
        Attempt(Response response, Failure failure, boolean reusedConnection, int status) {
            this(response, failure, reusedConnection, status, false);
        }

        @Override
        public Response answer() {
            return response;
        }

        @Override
        public void discard() {
            if (response != null && response.body() != null) {
                response.body().close();
            }
        }
    }

    Response handle(Exchange exchange, UpstreamPool pool, Deadline deadline) {
        boolean idempotent = RetryLoop.idempotent(exchange);
        // kept whatever the method: a refused stream is retried even for a POST
        byte[] replayBody = null;
        if (exchange.hasBody() && exchange.contentLength() >= 0
                && exchange.contentLength() <= ProxyFilter.REPLAY_LIMIT) {
            try {
                replayBody = exchange.body().readNBytes(ProxyFilter.REPLAY_LIMIT + 1);
            } catch (IOException e) {
                return Response.problem(Problem.of(ProblemType.MALFORMED_REQUEST, null));
            }
        }
        boolean bodyReplayable = !exchange.hasBody() || replayBody != null;
        byte[] finalReplayBody = replayBody;
        return loop.run(exchange, pool, deadline, attempt -> retryable(attempt, idempotent, bodyReplayable),
                target -> attempt(exchange, pool, target, finalReplayBody, deadline));
    }

    /** A refused stream was not processed, and a connect failure sent nothing: both may go again, POST or not. */
    private static boolean retryable(RetryLoop.Attempt attempt, boolean idempotent, boolean bodyReplayable) {
        if (attempt instanceof Attempt own && own.malformed()) {
            return false;
        }
        if (attempt.failure() == null) {
            return idempotent && bodyReplayable && RetryLoop.retryableStatus(attempt.status());
        }
        return switch (attempt.failure()) {
            case NOT_CONNECTED -> true;
            case REFUSED -> bodyReplayable;
            case BROKEN -> idempotent && bodyReplayable;
            case TIMED_OUT -> false;
        };
    }

    private Attempt attempt(Exchange exchange, UpstreamPool pool, UpstreamPool.Target target, byte[] replayBody,
                            Deadline deadline) {
        exchange.target(target.url());
        Http2Connections.Lease lease;
        // as on the HTTP/1.1 path: connecting (TCP and TLS together) may take no longer than the deadline leaves
        Duration connectBudget = deadline.cap(pool.connectTimeout());
        try {
            lease = connections.borrow(target, pool.connectTimeout(), connectBudget);
        } catch (RuntimeException e) {
            TlsFailures.report(target, e);
            LOG.log(System.Logger.Level.DEBUG, () -> "upstream " + target.url() + " not connected (h2) for request "
                    + exchange.requestId() + ": " + e);
            // a connect cut short by the deadline is the deadline passing (504, not retried), not a refusal
            boolean deadlineCut = connectBudget.compareTo(pool.connectTimeout()) < 0
                    && Failure.of(e) == Failure.TIMED_OUT;
            return new Attempt(null, deadlineCut ? Failure.TIMED_OUT : Failure.NOT_CONNECTED, false, 0);
        }
        Http2Connections.UpstreamStream stream = lease.stream();
        long started = System.nanoTime();
        RequestPump pump = null;
        try {
            boolean hasBody = exchange.hasBody() && (replayBody == null || replayBody.length > 0);
            if (hasBody && replayBody != null) {
                writeWhole(lease, requestHeaders(exchange, target, deadline), replayBody);
            } else {
                stream.writeHeaders(requestHeaders(exchange, target, deadline), !hasBody);
            }
            if (hasBody && replayBody == null) {
                pump = new RequestPump(exchange.body(), stream);
                Thread.ofVirtual().name("tollgate-h2-request-body").start(pump);
            }
            Http2Headers headers = awaitHeaders(lease, pool, deadline, started);
            exchange.upstreamNanos(System.nanoTime() - started);
            return new Attempt(response(exchange, headers, lease, pool, deadline), null, lease.reused(),
                    headers.status().code());
        } catch (AttemptFailed e) {
            lease.release();
            if (e.failure == Failure.BROKEN && !lease.alive()) {
                lease.discardConnection();
            }
            LOG.log(System.Logger.Level.DEBUG, () -> "upstream " + target.url() + " failed (h2) for request "
                    + exchange.requestId() + ": " + e.failure);
            return new Attempt(null, e.failure, lease.reused(), 0);
        } catch (MalformedAnswer e) {
            // a stream error (RFC 9113 section 8.1.1), not a connection error: only this stream is reset, the
            // connection goes on carrying the other requests' streams (other services and tenants share it)
            cancel(stream);
            lease.release();
            LOG.log(System.Logger.Level.DEBUG, () -> "upstream " + target.url() + " sent a malformed field (h2) for "
                    + "request " + exchange.requestId() + ": stream reset, 502");
            return new Attempt(null, Failure.BROKEN, false, 0, true);
        } catch (RuntimeException e) {
            // writing to a connection that broke under us
            cancel(stream);
            lease.release();
            lease.discardConnection();
            LOG.log(System.Logger.Level.DEBUG, () -> "upstream " + target.url() + " broke (h2) for request "
                    + exchange.requestId() + ": " + e);
            return new Attempt(null, refused(stream) ? Failure.REFUSED : Failure.BROKEN, lease.reused(), 0);
        }
    }

    /**
     * A request whose whole body is in memory (a unary gRPC call, a small POST): headers and body in one socket
     * write, on the request's own thread. Corked only while the stream's flow-control window takes the whole body:
     * a write that had to wait for a WINDOW_UPDATE must not hold back HEADERS the upstream has not seen yet.
     */
    private static void writeWhole(Http2Connections.Lease lease, Http2Headers headers, byte[] body) {
        Http2Connections.UpstreamStream stream = lease.stream();
        lease.cork();
        try {
            stream.writeHeaders(headers, false);
            if (stream.flowControl().outbound().getRemainingWindowSize() < body.length) {
                lease.uncork();
            }
            stream.writeData(BufferData.create(body), true);
        } finally {
            lease.uncork();
        }
    }

    /** The upstream's answer held a field that is not a token name or has a control character in its value. */
    private static final class MalformedAnswer extends RuntimeException {
        MalformedAnswer(String what) {
            super("upstream sent a malformed " + what, null, false, false);
        }
    }

    /** Whether an HTTP/2 field from the upstream may be passed on (a pseudo-field's name after its colon). */
    private static boolean wellFormed(String name, String value) {
        boolean nameOk = name.startsWith(":") ? FieldChecks.token(name.substring(1), name.length() - 1)
                : FieldChecks.token(name, name.length());
        return nameOk && FieldChecks.validValue(value);
    }

    private static final class AttemptFailed extends RuntimeException {
        final Failure failure;

        AttemptFailed(Failure failure) {
            super(failure.name(), null, false, false);
            this.failure = failure;
        }
    }

    private static boolean refused(Http2Connections.UpstreamStream stream) {
        return stream.resetCode() == Http2ErrorCode.REFUSED_STREAM;
    }

    /**
     * Waits (untimed, see {@link ReadTimeouts}) for the response headers, until the read timeout or the deadline,
     * whichever comes first; a timeout cancels this stream only, the connection goes on serving the others.
     */
    private static Http2Headers awaitHeaders(Http2Connections.Lease lease, UpstreamPool pool, Deadline deadline,
                                             long started) {
        Http2Connections.UpstreamStream stream = lease.stream();
        long until = earlier(started + pool.readTimeout().toNanos(), deadline);
        if (!stream.await(true, until)) {
            cancel(stream);
            throw new AttemptFailed(Failure.TIMED_OUT);
        }
        if (!stream.headersReady()) {
            throw new AttemptFailed(Failure.BROKEN);  // the connection went away
        }
        try {
            return stream.readHeaders();
        } catch (Http2Exception | IllegalStateException | UncheckedIOException | StreamTimeoutException e) {
            if (e instanceof Http2Exception && e.getCause() instanceof IllegalArgumentException
                    && !stream.resetByPeer()) {
                // Helidon's stream refused a field of the answer (a control character in a value, a name that is
                // not a token) and sent nothing: a stream error, so the stream is reset, not the connection
                throw new MalformedAnswer("field");
            }
            // reset by the upstream (the code says whether it took the request), or the connection went away
            throw new AttemptFailed(refused(stream) ? Failure.REFUSED : Failure.BROKEN);
        }
    }

    /** {@code nanos} (a {@link System#nanoTime()}), or the deadline when that comes first. */
    private static long earlier(long nanos, Deadline deadline) {
        if (!deadline.isSet()) {
            return nanos;
        }
        long left = deadline.remaining().toNanos();
        long at = System.nanoTime() + left;
        return at - nanos < 0 ? at : nanos;
    }

    private static void cancel(Http2Connections.UpstreamStream stream) {
        try {
            stream.cancel();
        } catch (RuntimeException ignored) {
            // the connection is gone: nothing to cancel
        }
    }

    private static Http2Headers requestHeaders(Exchange exchange, UpstreamPool.Target target, Deadline deadline) {
        HttpFields in = exchange.requestHeaders();
        Set<String> listed = HopByHop.listedIn(in);
        WritableHeaders<?> out = WritableHeaders.create();
        in.forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!HopByHop.always(lower) && !listed.contains(lower) && !NOT_FORWARDED.contains(lower) && !lower.startsWith("x-forwarded-")
                    && !lower.startsWith(":")) {
                out.add(HeaderValues.create(lower, value));
            }
        });
        // TE is hop-by-hop, but "te: trailers" is how a gRPC client says it reads trailers; gRPC servers want it
        for (String te : in.all("TE")) {
            if (te.toLowerCase(Locale.ROOT).contains("trailers")) {
                out.set(HeaderValues.create("te", "trailers"));
            }
        }
        if (exchange.hasBody() && exchange.contentLength() >= 0) {
            out.set(HeaderValues.create("content-length", Long.toString(exchange.contentLength())));
        }
        String priorFor = String.join(", ", in.all("X-Forwarded-For"));
        String client = exchange.clientAddress();
        out.set(HeaderValues.create("x-forwarded-for", priorFor.isEmpty() ? client : priorFor + ", " + client));
        out.set(HeaderValues.create("x-forwarded-proto", exchange.scheme()));
        if (exchange.host() != null) {
            out.set(HeaderValues.create("x-forwarded-host", exchange.host()));
        }
        if (deadline.isSet()) {
            out.set(HeaderValues.create(Deadline.HEADER.toLowerCase(Locale.ROOT),
                    Long.toString(deadline.remaining().toMillis())));
            if (in.contains("grpc-timeout")) {
                out.set(HeaderValues.create("grpc-timeout", deadline.asGrpcTimeout()));
            }
        }
        Http2Headers headers = Http2Headers.create(out);
        headers.method(Method.create(exchange.method()));
        headers.path(ProxyFilter.requestTarget(exchange, target));
        headers.scheme(target.scheme());
        headers.authority(target.authority());
        return headers;
    }

    private static Response response(Exchange exchange, Http2Headers upstream, Http2Connections.Lease lease,
                                     UpstreamPool pool, Deadline deadline) {
        Headers raw = upstream.httpHeaders();
        HttpFields all = new HttpFields();
        for (Header header : raw) {
            for (String value : header.allValues()) {
                if (!wellFormed(header.name(), value)) {
                    // HPACK carries any bytes; a CR or LF would split the head of an HTTP/1.1 answer, and Helidon
                    // does not check answer fields again
                    throw new MalformedAnswer("field");
                }
                all.add(header.name(), value);
            }
        }
        Set<String> listed = HopByHop.listedIn(all);
        Set<String> internal = exchange.route().internalHeaders();
        HttpFields headers = new HttpFields();
        all.forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!lower.startsWith(":") && !HopByHop.always(lower) && !listed.contains(lower) && !HIDDEN_RESPONSE_HEADERS.contains(lower)
                    && !internal.contains(lower)) {
                headers.add(name, value);
            }
        });
        int status = upstream.status().code();
        if (!lease.stream().hasEntity() || "HEAD".equals(exchange.method())) {
            // headers only: for gRPC a "Trailers-Only" answer, grpc-status is among these headers
            lease.release();
            return Response.of(status, headers, null);
        }
        String contentType = headers.first("Content-Type");
        boolean grpc = contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/grpc");
        boolean trailers = grpc || all.contains("Trailer");
        String length = headers.first("Content-Length");
        long contentLength = -1;
        if (length != null) {
            try {
                contentLength = Long.parseLong(length.trim());
            } catch (NumberFormatException ignored) {
                // unknown length: streamed
            }
        }
        return Response.of(status, headers, new StreamBody(lease, contentLength, trailers,
                pool.readTimeout().toNanos(), deadline, exchange.route().internalHeaders()));
    }

    /** Copies the client's request body to the upstream stream, then ends the stream; cancels it on failure. */
    private static final class RequestPump implements Runnable {
        private final InputStream body;
        private final Http2Connections.UpstreamStream stream;

        RequestPump(InputStream body, Http2Connections.UpstreamStream stream) {
            this.body = body;
            this.stream = stream;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[CHUNK];
            try {
                int n;
                while ((n = body.read(buffer)) >= 0) {
                    if (stream.resetByPeer()) {
                        return;  // the upstream answered (or gave up) and reads no more
                    }
                    if (n > 0) {
                        stream.writeData(BufferData.create(java.util.Arrays.copyOf(buffer, n)), false);
                    }
                }
                if (!stream.resetByPeer()) {
                    stream.writeData(BufferData.empty(), true);
                }
            } catch (IOException | RuntimeException e) {
                // the client went away, its body passed the route's cap, or the upstream stream is gone:
                // the upstream must not take a truncated body for a whole one
                if (!stream.resetByPeer()) {
                    cancel(stream);
                }
            }
        }
    }

    /**
     * The upstream's answer body, frame by frame. Written frames are flushed before every wait for the next one
     * (nothing more for this stream has arrived), so a streamed answer (gRPC server streaming, events) reaches the
     * client when the upstream sends it, while an answer that arrived whole (a unary call's message and trailers)
     * leaves in one piece. Waiting longer than the read timeout for the next frame, or past the deadline, breaks the
     * body off.
     */
    private static final class StreamBody implements Body {
        private final Http2Connections.Lease lease;
        private final long length;
        private final boolean expectsTrailers;
        private final long idleNanos;
        private final Deadline deadline;
        private final Set<String> internal;
        private boolean ended;

        StreamBody(Http2Connections.Lease lease, long length, boolean expectsTrailers, long idleNanos,
                   Deadline deadline, Set<String> internal) {
            this.lease = lease;
            this.length = length;
            this.expectsTrailers = expectsTrailers;
            this.idleNanos = idleNanos;
            this.deadline = deadline;
            this.internal = internal;
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public boolean expectsTrailers() {
            return expectsTrailers;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            Http2Connections.UpstreamStream stream = lease.stream();
            long lastFrame = System.nanoTime();
            boolean unflushed = false;
            while (!ended) {
                if (!stream.frameReady()) {
                    if (unflushed) {
                        out.flush();
                        unflushed = false;
                    }
                    if (!stream.await(false, earlier(lastFrame + idleNanos, deadline))) {
                        throw new IOException("upstream stopped sending");  // close() cancels the stream
                    }
                    if (!stream.frameReady()) {
                        throw new IOException("upstream connection closed");
                    }
                }
                Http2FrameData frame;
                try {
                    frame = stream.next();
                } catch (Http2Exception | IllegalStateException | UncheckedIOException e) {
                    throw new IOException("upstream stream broke off", e);
                }
                if (stream.trailers().isDone()) {
                    ended = true;
                    break;
                }
                if (frame == null) {
                    continue;
                }
                lastFrame = System.nanoTime();
                BufferData data = frame.data();
                if (data.available() > 0) {
                    byte[] bytes = new byte[data.available()];
                    data.read(bytes);
                    out.write(bytes);
                    unflushed = true;
                }
                if (frame.header().flags(io.helidon.http.http2.Http2FrameTypes.DATA).endOfStream()) {
                    ended = true;
                }
            }
        }

        @Override
        public HttpFields trailers() {
            HttpFields fields = new HttpFields();
            Headers trailers = lease.stream().trailers().getNow(null);
            if (trailers != null) {
                for (Header header : trailers) {
                    String lower = header.name().toLowerCase(Locale.ROOT);
                    for (String value : header.allValues()) {
                        // they go to HTTP/2 clients only (no response splitting), but RFC 9113 section 8.2.1 rules
                        // out CR, LF and NUL all the same: the client's stream breaks off as for a broken upstream
                        if (!wellFormed(header.name(), value) || lower.startsWith(":")) {
                            throw new MalformedAnswer("trailer field");
                        }
                        if (!internal.contains(lower)) {
                            fields.add(lower, value);
                        }
                    }
                }
            }
            return fields;
        }

        @Override
        public void close() {
            if (!ended) {
                cancel(lease.stream());
            }
            lease.release();
        }
    }

    @Override
    public void close() {
        connections.close();
    }
}
