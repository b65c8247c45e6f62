package io.tollgate.gateway.observe;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.tollgate.common.privacy.ClientIps;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.gateway.pipeline.Chain;
import io.tollgate.gateway.pipeline.Completion;
import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.Filter;
import io.tollgate.gateway.pipeline.Response;
import io.tollgate.gateway.snapshot.KeySpec;
import io.tollgate.gateway.usage.UsageRecorder;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * Records every exchange once it is completely written: one JSON line on the {@code tollgate.access} logger
 * (handed to {@link AccessLog}'s own thread, off the request path) and the request metrics. It sits right after the request id so it sees every outcome, including no-route and
 * auth failures. Exchanges of a matched route are also counted for the usage rollups and, when the gateway
 * refused them with 401/403/429, for the denied-request audit events ({@link UsageRecorder}). The line holds the raw path but never the query, headers, keys or cookies; the key appears only
 * as its public id.
 */
public final class RecordFilter implements Filter, AutoCloseable {
    static final String ACCESS_LOGGER = "tollgate.access";
    private static final double NANOS = 1e9;
    private static final int QUEUED_LINES = 65_536;
    private static final JsonFactory JSON = new JsonFactory();

    private final GatewayMetrics metrics;
    private final UsageRecorder usage;
    private final ClientIps clientIps;
    private final AccessLog accessLog;

    public RecordFilter(GatewayMetrics metrics, UsageRecorder usage, ClientIps clientIps, String accessLogTarget) {
        this.metrics = metrics;
        this.usage = usage;
        this.clientIps = clientIps;
        this.accessLog = AccessLog.create(accessLogTarget, QUEUED_LINES);
        metrics.accessLogDropped(accessLog::dropped);
    }

    /** Writes the access-log lines still queued. */
    @Override
    public void close() {
        accessLog.close();
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        Response[] answered = new Response[1];
        long minute = usage.minuteNow();
        exchange.onComplete(completion -> record(exchange, answered[0], completion, minute));
        answered[0] = chain.proceed(exchange);
        return answered[0];
    }

    private void record(Exchange exchange, Response response, Completion completion, long minute) {
        long totalNanos = System.nanoTime() - exchange.startNanos();
        String tenant = exchange.tenant() == null ? "" : exchange.tenant().slug();
        String route = exchange.route() == null ? "" : exchange.route().name();
        ProblemType problem = response != null && response.isProblem() ? response.problem().type() : null;
        metrics.request(tenant, route, completion.status(), totalNanos / NANOS,
                exchange.upstreamNanos() < 0 ? -1 : exchange.upstreamNanos() / NANOS);
        if (completion.grpcStatus() != null && exchange.route() != null) {
            metrics.grpcCall(tenant, route, exchange.rawPath(), completion.grpcStatus());
        }
        if (problem == ProblemType.RATE_LIMITED) {
            metrics.rateLimited(tenant);
        } else if (problem == ProblemType.QUOTA_EXCEEDED) {
            metrics.quotaExceeded(tenant);
        }
        if (exchange.route() != null && exchange.tenant() != null) {
            usage.completed(minute, exchange.tenant().id(), exchange.route().id(), tenantKeyPublicId(exchange),
                    completion.status(), problem != null, totalNanos);
        }
        if (accessLog.enabled()) {
            accessLog.write(line(exchange, completion, tenant, route, problem, totalNanos));
        }
    }

    /**
     * The public id of the key the request named when it is a key of the route's tenant; another tenant's key is
     * not named in this tenant's records.
     */
    private static String tenantKeyPublicId(Exchange exchange) {
        KeySpec key = exchange.key() != null ? exchange.key() : exchange.claimedKey();
        return key != null && key.tenantId().equals(exchange.route().tenantId()) ? key.publicId() : null;
    }

    /** One JSON line, written field by field (no intermediate tree: this runs for every request). */
    String line(Exchange exchange, Completion completion, String tenant, String route, ProblemType problem,
                long totalNanos) {
        StringWriter text = new StringWriter(384);
        try (JsonGenerator json = JSON.createGenerator(text)) {
            json.writeStartObject();
            json.writeStringField("ts", Instant.now().toString());
            json.writeStringField("request_id", exchange.requestId());
            json.writeStringField("tenant", tenant);
            json.writeStringField("route", route);
            json.writeStringField("key", exchange.key() == null ? null : exchange.key().publicId());
            json.writeStringField("method", exchange.method());
            json.writeStringField("path", exchange.rawPath());
            json.writeNumberField("status", completion.status());
            json.writeStringField("problem", problem == null ? null : problem.slug());
            if (completion.grpcStatus() != null && !completion.grpcStatus().isEmpty()) {
                json.writeStringField("grpc_status", completion.grpcStatus());
            }
            json.writeStringField("target", exchange.target());
            if (exchange.upstreamNanos() < 0) {
                json.writeNullField("upstream_ms");
            } else {
                json.writeNumberField("upstream_ms", exchange.upstreamNanos() / 1e6);
            }
            json.writeNumberField("total_ms", totalNanos / 1e6);
            json.writeNumberField("bytes_in", completion.bytesIn());
            json.writeNumberField("bytes_out", completion.bytesOut());
            json.writeStringField("client", clientIps.apply(exchange.clientAddress()));
            if (completion.aborted()) {
                json.writeBooleanField("aborted", true);
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }
}
