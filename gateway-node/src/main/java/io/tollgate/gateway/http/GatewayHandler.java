package io.tollgate.gateway.http;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.ServerResponseTrailers;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.tollgate.common.problem.Problem;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.common.problem.ProblemWriter;
import io.tollgate.gateway.pipeline.Body;
import io.tollgate.gateway.pipeline.Completion;
import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.HttpFields;
import io.tollgate.gateway.pipeline.Pipeline;
import io.tollgate.gateway.pipeline.Response;
import io.tollgate.gateway.snapshot.SnapshotHolder;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every request on the gateway port goes through here: read it into an {@link Exchange} (raw path and raw query
 * exactly as on the wire) with the snapshot current at this moment, run the pipeline, write the answer streaming,
 * then tell the exchange how it ended so it is recorded. HTTP/1.1 and HTTP/2 (h2c) requests take the same path;
 * an HTTP/2 answer never carries connection-specific fields (RFC 9113 section 8.2.2), not even {@code Connection:
 * close} while draining.
 */
public final class GatewayHandler implements Handler {
    private static final System.Logger LOG = System.getLogger(GatewayHandler.class.getName());
    /** Fields that are about one HTTP/1.x connection; an HTTP/2 message that carries any of them is malformed. */
    private static final Set<String> CONNECTION_SPECIFIC = Set.of("connection", "keep-alive", "proxy-connection",
            "transfer-encoding", "upgrade", "te", "trailer");
    /** Bodies up to this size (with a known length) are read whole and written with the head in one piece. */
    static final int SMALL_BODY = 16 * 1024;
    static final int MAX_CACHED_NAMES = 4096;
    private static final ConcurrentHashMap<String, HeaderName> NAMES = new ConcurrentHashMap<>();

    private final Pipeline pipeline;
    private final SnapshotHolder snapshots;
    private final Drain drain;
    private final ProxiedPeers peers;

    public GatewayHandler(Pipeline pipeline, SnapshotHolder snapshots, Drain drain, ProxiedPeers peers) {
        this.pipeline = pipeline;
        this.snapshots = snapshots;
        this.drain = drain;
        this.peers = peers;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        if (!peers.vouchFor(req.proxyProtocolData(), req.remotePeer())) {
            // a PROXY line from a local process, not from the front door: its client address is not to be believed
            LOG.log(System.Logger.Level.WARNING, "refused a request whose PROXY protocol line did not come from "
                    + "this node's front door (socket peer " + req.remotePeer().host() + ")");
            res.header(HeaderValues.CONNECTION_CLOSE);
            ProblemWriter.write(res, Problem.of(ProblemType.FORBIDDEN,
                    "this port takes only connections handed over by the gateway's own front door"));
            return;
        }
        boolean http2 = isHttp2(req);
        boolean admitted = http2 ? drain.enterStream(req.serverSocketId(), req.socketId(), req.id()) : drain.enter();
        if (!admitted) {
            refuse(req, res, http2);
            return;
        }
        try {
            handleCounted(req, res);
            if (http2 && res instanceof RoutingResponse routing) {
                // Helidon's HTTP/2 output stream writes nothing on close(): the last DATA frame (END_STREAM) or
                // the trailers go out in commit(), which Helidon runs after this handler returns. Done here, the
                // answer is complete before the request stops counting as in flight, so a drain that sees the
                // node idle cannot close the connection under an answer's last frame. (commit() runs once.)
                routing.commit();
            }
        } finally {
            drain.exit();
        }
    }

    /**
     * Shutting down: the client should go to another node, on a new connection. An HTTP/2 stream refused here is
     * one above its connection's final GOAWAY, which the client has already written off and may retry; it is
     * answered all the same. A gRPC client gets UNAVAILABLE, which it may retry, as Trailers-Only: an HTTP 503
     * would reach it as a status derived from a non-gRPC answer.
     */
    private static void refuse(ServerRequest req, ServerResponse res, boolean http2) {
        Problem problem = Problem.of(ProblemType.UNAVAILABLE, null);
        String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse(null);
        if (contentType != null && GrpcStatus.isGrpc(contentType)) {
            res.status(Status.OK_200);
            res.header(HeaderNames.CONTENT_TYPE, "application/grpc");
            res.header(HeaderNames.create("grpc-status"), Integer.toString(GrpcStatus.of(problem)));
            res.header(HeaderNames.create("grpc-message"), GrpcStatus.message(problem));
            sendHeadersOnly(res, http2);
            return;
        }
        if (!http2) {
            res.header(HeaderValues.CONNECTION_CLOSE);
        }
        ProblemWriter.write(res, problem);
    }

    private void handleCounted(ServerRequest req, ServerResponse res) {
        long start = System.nanoTime();
        HttpFields headers = ClientAddress.fields(req.headers(), req.proxyProtocolData());
        boolean hasBody = req.content().hasEntity();
        CountingInputStream body = new CountingInputStream(hasBody ? req.content().inputStream() : InputStream.nullInputStream());
        String rawQuery = req.prologue().query().rawValue();
        Exchange exchange = new Exchange(req.prologue().method().text(), req.prologue().uriPath().rawPath(),
                rawQuery == null || rawQuery.isEmpty() ? null : rawQuery,
                headers.first("Host"), req.isSecure() ? "https" : "http",
                ClientAddress.of(req.proxyProtocolData(), req.remotePeer()), headers, body,
                req.headers().contentLength().orElse(-1), hasBody, start, snapshots.current());
        Response response;
        try {
            response = pipeline.run(exchange);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "request " + exchange.requestId() + " failed inside the gateway", e);
            response = Response.problem(Problem.of(ProblemType.INTERNAL, null));
        }
        boolean http2 = isHttp2(req);
        if (drain.unready() && !http2) {
            // draining: finish this request, but let the client's next one open a connection elsewhere
            res.header(HeaderValues.CONNECTION_CLOSE);
        }
        write(exchange, response, res, body, http2);
    }

    /**
     * The Helidon name of a field in an answer. {@code HeaderNames.create} lower-cases the name and allocates for
     * every field of every answer; upstreams send the same few names again and again, so the first
     * {@link #MAX_CACHED_NAMES} distinct ones are kept (bounded: an upstream inventing names cannot grow it).
     */
    static HeaderName headerName(String name) {
        HeaderName cached = NAMES.get(name);
        if (cached != null) {
            return cached;
        }
        HeaderName created = HeaderNames.create(name);
        if (NAMES.size() < MAX_CACHED_NAMES) {
            NAMES.putIfAbsent(name, created);
        }
        return created;
    }

    /** True for a request that came over HTTP/2 (h2c prior knowledge or upgraded from HTTP/1.1). */
    static boolean isHttp2(ServerRequest req) {
        return "2.0".equals(req.prologue().protocolVersion());
    }

    /** Whether a field may go into the answer: all may over HTTP/1.1, connection-specific ones never over HTTP/2. */
    private static boolean allowed(String name, boolean http2) {
        return !http2 || !CONNECTION_SPECIFIC.contains(name.toLowerCase(Locale.ROOT));
    }

    private static void write(Exchange exchange, Response response, ServerResponse res, CountingInputStream in,
                              boolean http2) {
        // add, not set: repeated fields (Set-Cookie) must all reach the client
        exchange.responseHeaders().forEach((name, value) -> {
            if (allowed(name, http2)) {
                res.headers().add(HeaderValues.create(headerName(name), value));
            }
        });
        boolean grpc = GrpcStatus.isGrpc(exchange.requestHeaders());
        if (response.isProblem()) {
            Problem problem = response.problem();
            if (exchange.requestId() != null) {
                problem = problem.withInstance(exchange.requestId());
            }
            if (grpc) {
                writeGrpcRefusal(exchange, problem, res, in, http2);
                return;
            }
            byte[] body = ProblemWriter.body(problem);
            ProblemWriter.write(res, problem);
            exchange.complete(new Completion(problem.status(), in.count, body.length, false));
            return;
        }
        res.status(Status.create(response.status()));
        response.headers().forEach((name, value) -> {
            if (!"content-length".equalsIgnoreCase(name) && allowed(name, http2)) {
                res.headers().add(HeaderValues.create(headerName(name), value));
            }
        });
        Body body = response.body();
        if (body == null) {
            String length = response.headers().first("Content-Length");
            if ("HEAD".equals(exchange.method()) && length != null) {
                // a HEAD answer describes the body a GET would get
                res.header(HeaderNames.CONTENT_LENGTH, length);
            }
            if (grpc) {
                sendHeadersOnly(res, http2);  // an upstream's Trailers-Only answer stays one
            } else {
                res.send();
            }
            exchange.complete(new Completion(response.status(), in.count, 0, false,
                    grpc ? orNone(response.headers().first("grpc-status")) : null));
            return;
        }
        if (body.length() >= 0 && body.length() <= SMALL_BODY && !body.expectsTrailers()) {
            writeSmall(exchange, response, res, in, body);
            return;
        }
        if (body.length() >= 0) {
            res.header(HeaderNames.CONTENT_LENGTH, Long.toString(body.length()));
        }
        // Trailers (gRPC's grpc-status and metadata) reach HTTP/2 clients; Helidon sends them only when the
        // headers announce them. HTTP/1.1 clients do not get them (none of them asked: gRPC needs HTTP/2).
        boolean trailers = http2 && body.expectsTrailers();
        if (trailers) {
            res.header(HeaderNames.TRAILER, "grpc-status, grpc-message");
        }
        CountingOutputStream out = null;
        boolean aborted = true;
        String grpcStatus = null;
        try {
            out = new CountingOutputStream(res.outputStream());
            body.writeTo(out);
            if (trailers) {
                HttpFields fields = body.trailers();
                ServerResponseTrailers sent = res.trailers();
                fields.forEach((name, value) -> {
                    if (allowed(name, true)) {
                        sent.add(HeaderValues.create(name, value));
                    }
                });
                grpcStatus = fields.first("grpc-status");
            }
            // Close only after a complete copy: closing ends a chunked response as if the body were whole.
            out.close();
            aborted = false;
        } catch (IOException | RuntimeException e) {
            // Never end the body normally: the client must not take a truncated body for a whole one.
            throw new BodyBrokeOff(exchange.requestId(), e);
        } finally {
            body.close();
            exchange.complete(new Completion(response.status(), in.count, out == null ? 0 : out.count, aborted,
                    grpc ? orNone(grpcStatus) : null));
        }
    }

    /**
     * A small body of known length is read whole, which frees the upstream connection at once, then sent with the
     * head in one write (no chunking machinery, no copy buffer). If the upstream breaks off before the end, nothing
     * has reached the client yet and it gets a 502 problem.
     */
    private static void writeSmall(Exchange exchange, Response response, ServerResponse res, CountingInputStream in,
                                   Body body) {
        long sent = -1;
        try {
            byte[] bytes = body.bytes();
            body.close();
            res.send(bytes);
            sent = bytes.length;
        } catch (IOException | RuntimeException e) {
            throw new BodyBrokeOff(exchange.requestId(), e);
        } finally {
            body.close();
            exchange.complete(new Completion(response.status(), in.count, Math.max(0, sent), sent < 0));
        }
    }

    /** A gRPC call's status for the record: "" when no grpc-status reached the client. */
    private static String orNone(String grpcStatus) {
        return grpcStatus == null ? "" : grpcStatus;
    }

    /**
     * Ends the answer with its headers alone: over HTTP/2 one HEADERS frame with END_STREAM, which is what gRPC
     * calls Trailers-Only. Helidon's {@code send()} would add an empty DATA frame that gRPC clients refuse
     * ("unexpected EOS on empty DATA frame"); an output stream closed unwritten sends the HEADERS frame alone,
     * provided no {@code Trailer} field is announced (Helidon announces one when the client sent TE: trailers).
     */
    private static void sendHeadersOnly(ServerResponse res, boolean http2) {
        if (!http2) {
            res.send();
            return;
        }
        try (OutputStream out = res.outputStream()) {
            res.headers().remove(HeaderNames.TRAILER);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A refusal of a gRPC request, in gRPC's terms: HTTP 200 "Trailers-Only" with grpc-status and grpc-message
     * ({@link GrpcStatus}); the headers the refusal carries (Retry-After, WWW-Authenticate) go along as metadata.
     * The exchange is recorded with the refusal's HTTP status (401, 429, ...) so that usage, audit and metrics
     * count it as they count any refusal, plus the gRPC code.
     */
    private static void writeGrpcRefusal(Exchange exchange, Problem problem, ServerResponse res,
                                         CountingInputStream in, boolean http2) {
        int code = GrpcStatus.of(problem);
        res.status(Status.OK_200);
        problem.headers().forEach((name, value) -> res.header(HeaderNames.create(name), value));
        res.header(HeaderNames.CONTENT_TYPE, "application/grpc");
        res.header(HeaderNames.create("grpc-status"), Integer.toString(code));
        res.header(HeaderNames.create("grpc-message"), GrpcStatus.message(problem));
        sendHeadersOnly(res, http2);
        exchange.complete(new Completion(problem.status(), in.count, 0, false, Integer.toString(code)));
    }

    /**
     * The answer broke off while its body was being copied (upstream reset, or the client went away). If nothing
     * reached the client yet, Helidon lets {@link #writeProblem} answer 502 instead; otherwise it drops the
     * connection, which is what a client must see for a truncated body.
     */
    static final class BodyBrokeOff extends RuntimeException {
        private final String requestId;

        BodyBrokeOff(String requestId, Exception cause) {
            super("response body broke off", cause, false, false);
            this.requestId = requestId;
        }
    }

    /** Error handler for {@link BodyBrokeOff}, registered on the gateway routing. */
    private static void writeProblem(ServerResponse res, RuntimeException error) {
        String requestId = error instanceof BodyBrokeOff broke ? broke.requestId : null;
        res.headers().clear();
        if (requestId != null) {
            res.header(HeaderNames.create("X-Request-Id"), requestId);
        }
        Problem problem = Problem.of(ProblemType.UPSTREAM_UNAVAILABLE, null);
        ProblemWriter.write(res, requestId == null ? problem : problem.withInstance(requestId));
    }

    /** Answers for requests Helidon refuses before routing, as problem+json. */
    public static io.helidon.webserver.http.DirectHandlers directHandlers() {
        return ProblemDirectHandler.handlers();
    }

    /** Registers this handler for every request, with its error handler. */
    public static void register(io.helidon.webserver.http.HttpRouting.Builder routing, GatewayHandler handler) {
        routing.any(handler);
        routing.error(BodyBrokeOff.class, (req, res, error) -> writeProblem(res, error));
    }

    private static final class CountingInputStream extends FilterInputStream {
        private long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

    private static final class CountingOutputStream extends FilterOutputStream {
        private long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            out.write(buffer, offset, length);
            count += length;
        }
    }
}
