package io.tollgate.gateway.ws;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.spi.Http1Upgrader;
import io.helidon.webserver.spi.ServerConnection;
import io.tollgate.common.problem.Problem;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.common.problem.ProblemWriter;
import io.tollgate.gateway.http.ClientAddress;
import io.tollgate.gateway.http.ProxiedPeers;
import io.tollgate.gateway.http.Drain;
import io.tollgate.gateway.pipeline.Body;
import io.tollgate.gateway.pipeline.Completion;
import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.HttpFields;
import io.tollgate.gateway.pipeline.Pipeline;
import io.tollgate.gateway.pipeline.Response;
import io.tollgate.gateway.pipeline.Tunnel;
import io.tollgate.gateway.snapshot.SnapshotHolder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * Takes over an HTTP/1.1 {@code GET} carrying {@code Upgrade: websocket} on the gateway listener. The request
 * runs through the whole pipeline like any other ({@link Exchange#markWebSocketUpgrade()} tells the proxy to ask
 * the target to switch, and the cache to stay out). If the upstream answered 101, the 101 goes to the client and a
 * {@link Splice} carries the bytes both ways; otherwise the answer (the gateway's problem, or the upstream's own
 * non-101 answer) is written as an ordinary HTTP/1.1 response with {@code Connection: close}, and the connection
 * ends there.
 *
 * <p>Helidon looks upgraders up by the exact {@code Upgrade} value, so this one sees {@code websocket} (what
 * browsers and RFC 6455 clients send); a request with another spelling, a request with a body, or another method
 * goes the ordinary way, where {@code Upgrade} is a hop-by-hop field and is not forwarded. While the node drains,
 * the request is left to the ordinary path too, which answers 503.
 */
public final class WebSocketUpgrader implements Http1Upgrader {
    private static final System.Logger LOG = System.getLogger(WebSocketUpgrader.class.getName());

    private final Pipeline pipeline;
    private final SnapshotHolder snapshots;
    private final Drain drain;
    private final Duration idleTimeout;
    private final WebSocketMetrics metrics;
    private final ProxiedPeers peers;

    public WebSocketUpgrader(Pipeline pipeline, SnapshotHolder snapshots, Drain drain, Duration idleTimeout,
                             WebSocketMetrics metrics, ProxiedPeers peers) {
        this.pipeline = pipeline;
        this.snapshots = snapshots;
        this.drain = drain;
        this.idleTimeout = idleTimeout;
        this.metrics = metrics;
        this.peers = peers;
    }

    @Override
    public String supportedProtocol() {
        return "websocket";
    }

    @Override
    public ServerConnection upgrade(ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers) {
        if (!"GET".equals(prologue.method().text()) || !"1.1".equals(prologue.protocolVersion())) {
            return null;
        }
        if (!peers.vouchFor(ctx.proxyProtocolData(), ctx.remotePeer())) {
            return null;   // no upgrade: the request goes on to GatewayHandler, which refuses it
        }
        if (!drain.enter()) {
            return null;
        }
        try {
            return upgradeCounted(ctx, prologue, headers);
        } finally {
            drain.exit();   // the splice that may follow is not a request in flight: stop() closes it
        }
    }

    private ServerConnection upgradeCounted(ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers) {
        long start = System.nanoTime();
        HttpFields fields = ClientAddress.fields(headers, ctx.proxyProtocolData());
        String rawQuery = prologue.query().rawValue();
        Exchange exchange = new Exchange("GET", prologue.uriPath().rawPath(),
                rawQuery == null || rawQuery.isEmpty() ? null : rawQuery, fields.first("Host"),
                ctx.isSecure() ? "https" : "http", ClientAddress.of(ctx.proxyProtocolData(), ctx.remotePeer()), fields,
                InputStream.nullInputStream(), -1, false, start, snapshots.current());
        exchange.markWebSocketUpgrade();
        Response response;
        try {
            response = pipeline.run(exchange);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "WebSocket upgrade " + exchange.requestId()
                    + " failed inside the gateway", e);
            response = Response.problem(Problem.of(ProblemType.INTERNAL, null));
        }
        String tenant = exchange.tenant() == null ? "" : exchange.tenant().slug();
        String route = exchange.route() == null ? "" : exchange.route().name();
        Tunnel tunnel = exchange.tunnel();
        if (tunnel != null && !response.isProblem() && response.status() == 101) {
            try {
                writeHead(ctx.dataWriter(), 101, exchange.responseHeaders(), response.headers(), null);
            } catch (RuntimeException e) {
                tunnel.close();
                exchange.complete(new Completion(101, 0, 0, true));
                metrics.upgrade(tenant, route, "rejected");
                return Splice.ended();
            }
            metrics.upgrade(tenant, route, "upgraded");
            return new Splice(ctx, tunnel, exchange, idleTimeout, metrics);
        }
        if (tunnel != null) {
            tunnel.close();
        }
        metrics.upgrade(tenant, route, response.isProblem() ? "rejected" : "declined");
        writeAnswer(ctx.dataWriter(), exchange, response);
        return Splice.ended();
    }

    /** A refused upgrade's answer, as an HTTP/1.1 response after which the connection closes. */
    private static void writeAnswer(DataWriter writer, Exchange exchange, Response response) {
        if (response.isProblem()) {
            Problem problem = exchange.requestId() == null ? response.problem()
                    : response.problem().withInstance(exchange.requestId());
            byte[] body = ProblemWriter.body(problem);
            HttpFields fields = new HttpFields();
            problem.headers().forEach(fields::add);
            fields.add("Content-Type", ProblemWriter.MEDIA_TYPE);
            fields.add("Cache-Control", "no-store");
            fields.add("Content-Length", Integer.toString(body.length));
            boolean sent = false;
            try {
                writeHead(writer, problem.status(), exchange.responseHeaders(), fields, "close");
                writer.writeNow(BufferData.create(body));
                sent = true;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, () -> "client went away before its refusal: " + e);
            }
            exchange.complete(new Completion(problem.status(), 0, sent ? body.length : 0, !sent));
            return;
        }
        Body body = response.body();
        HttpFields fields = new HttpFields();
        response.headers().forEach((name, value) -> {
            if (!"content-length".equalsIgnoreCase(name)) {
                fields.add(name, value);
            }
        });
        fields.add("Content-Length", Long.toString(body == null ? 0 : Math.max(0, body.length())));
        long[] sent = {0};
        boolean aborted = true;
        try {
            if (body != null && body.length() < 0) {
                fields.remove("Content-Length");   // read to the end of the connection, which closes after it
            }
            writeHead(writer, response.status(), exchange.responseHeaders(), fields, "close");
            if (body != null) {
                body.writeTo(new OutputStream() {
                    @Override
                    public void write(int b) {
                        write(new byte[] {(byte) b}, 0, 1);
                    }

                    @Override
                    public void write(byte[] bytes, int offset, int length) {
                        writer.writeNow(BufferData.create(java.util.Arrays.copyOfRange(bytes, offset,
                                offset + length)));
                        sent[0] += length;
                    }
                });
            }
            aborted = false;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "declined WebSocket upgrade answer broke off: " + e);
        } finally {
            if (body != null) {
                body.close();
            }
            exchange.complete(new Completion(response.status(), 0, sent[0], aborted));
        }
    }

    /** Status line and fields (the exchange's own first), and {@code Connection: close} when asked. */
    private static void writeHead(DataWriter writer, int status, HttpFields own, HttpFields fields,
                                  String connection) {
        StringBuilder head = new StringBuilder(256);
        head.append("HTTP/1.1 ").append(status).append(' ').append(Status.create(status).reasonPhrase())
                .append("\r\n");
        own.forEach((name, value) -> field(head, name, value));
        fields.forEach((name, value) -> {
            if (connection == null || !"connection".equals(name.toLowerCase(Locale.ROOT))) {
                field(head, name, value);
            }
        });
        if (connection != null) {
            field(head, "Connection", connection);
        }
        head.append("\r\n");
        writer.writeNow(BufferData.create(head.toString().getBytes(StandardCharsets.ISO_8859_1)));
    }

    private static void field(StringBuilder head, String name, String value) {
        head.append(name).append(": ").append(value).append("\r\n");
    }
}
