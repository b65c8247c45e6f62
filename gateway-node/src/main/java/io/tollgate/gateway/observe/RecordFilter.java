package io.tollgate.gateway.observe;

import io.tollgate.common.privacy.ClientIps;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.gateway.pipeline.Chain;
import io.tollgate.gateway.pipeline.Completion;
import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.Filter;
import io.tollgate.gateway.pipeline.Response;
import io.tollgate.gateway.snapshot.KeySpec;
import io.tollgate.gateway.usage.UsageRecorder;

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
    /** A typical line fits: no regrowth. */
    private static final int LINE_CAPACITY = 512;
    /** A builder grown past this by an unusually long line is not kept for the next. */
    private static final int MAX_KEPT_CAPACITY = 8 * 1024;
    /**
     * One builder per platform thread (the event loops), reused for every line it writes: the line leaves as the
     * String {@code toString()} copies, so nothing outside {@link #line} ever sees the builder. A virtual thread
     * serves one request and is gone, so it gets a builder of its own instead of one kept in a thread-local.
     */
    private static final ThreadLocal<StringBuilder> LINE_BUILDERS =
            ThreadLocal.withInitial(() -> new StringBuilder(LINE_CAPACITY));

    private final GatewayMetrics metrics;
    private final UsageRecorder usage;
    private final ClientIps clientIps;
    private final AccessLog accessLog;
    private final IsoTimestamps timestamps = new IsoTimestamps();

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
            metrics.grpcCall(tenant, route, exchange.rawPath(), completion.grpcStatus(), exchange.upstreamNanos() >= 0);
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

    /** One JSON line, written field by field into one builder (no tree, no generator: this runs for every request). */
    String line(Exchange exchange, Completion completion, String tenant, String route, ProblemType problem,
                long totalNanos) {
        StringBuilder json = lineBuilder();
        json.append("{\"ts\":\"");
        timestamps.append(json, Instant.now());
        json.append('"');
        json.append(",\"request_id\":");
        string(json, exchange.requestId());
        json.append(",\"tenant\":");
        string(json, tenant);
        json.append(",\"route\":");
        string(json, route);
        json.append(",\"key\":");
        string(json, exchange.key() == null ? null : exchange.key().publicId());
        json.append(",\"method\":");
        string(json, exchange.method());
        json.append(",\"path\":");
        string(json, exchange.rawPath());
        json.append(",\"status\":").append(completion.status());
        json.append(",\"problem\":");
        string(json, problem == null ? null : problem.slug());
        if (completion.grpcStatus() != null && !completion.grpcStatus().isEmpty()) {
            json.append(",\"grpc_status\":");
            string(json, completion.grpcStatus());
        }
        json.append(",\"target\":");
        string(json, exchange.target());
        json.append(",\"upstream_ms\":");
        if (exchange.upstreamNanos() < 0) {
            json.append("null");
        } else {
            millis(json, exchange.upstreamNanos());
        }
        json.append(",\"total_ms\":");
        millis(json, totalNanos);
        json.append(",\"bytes_in\":").append(completion.bytesIn());
        json.append(",\"bytes_out\":").append(completion.bytesOut());
        json.append(",\"client\":");
        string(json, clientIps.apply(exchange.clientAddress()));
        if (completion.aborted()) {
            json.append(",\"aborted\":true");
        }
        String line = json.append('}').toString();
        if (json.capacity() > MAX_KEPT_CAPACITY && !Thread.currentThread().isVirtual()) {
            LINE_BUILDERS.set(new StringBuilder(LINE_CAPACITY));   // not held, with its text, until the next line
        }
        return line;
    }

    /** An empty builder for one line: this thread's own when it is a platform thread, else a new one. */
    private static StringBuilder lineBuilder() {
        if (Thread.currentThread().isVirtual()) {
            return new StringBuilder(LINE_CAPACITY);
        }
        StringBuilder json = LINE_BUILDERS.get();
        json.setLength(0);
        return json;
    }

    /** {@code nanos} as milliseconds with three decimals (microseconds), e.g. {@code 1.204}; no double printing. */
    static void millis(StringBuilder json, long nanos) {
        long micros = nanos / 1_000;
        json.append(micros / 1_000).append('.');
        long fraction = micros % 1_000;
        if (fraction < 100) {
            json.append(fraction < 10 ? "00" : "0");
        }
        json.append(fraction);
    }

    /** A JSON string (RFC 8259: quote, backslash and control characters escaped), or null. */
    static void string(StringBuilder json, String value) {
        if (value == null) {
            json.append("null");
            return;
        }
        json.append('"');
        int n = value.length();
        int plain = 0;
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f && !Character.isSurrogate(c)) {
                continue;
            }
            json.append(value, plain, i);
            plain = i + 1;
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> json.append(String.format("\\u%04x", (int) c));
            }
        }
        json.append(value, plain, n).append('"');
    }
}
