package io.tollgate.gateway.proxy;

import io.helidon.common.uri.UriInfo;
import io.helidon.common.uri.UriPath;
import io.helidon.http.Header;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.webclient.api.ClientUri;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.tollgate.common.problem.Problem;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.gateway.pipeline.Body;
import io.tollgate.gateway.pipeline.Chain;
import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.Filter;
import io.tollgate.gateway.pipeline.HttpFields;
import io.tollgate.gateway.pipeline.Response;
import io.tollgate.gateway.snapshot.UpstreamPool;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Forwards the exchange to a target picked by weighted round robin and returns the upstream's answer with its
 * body still streaming. Connection refused or reset gives 502 {@code upstream-unavailable}, a connect or read
 * timeout 504 {@code upstream-timeout}; upstream error details never reach the client, nor do the response
 * headers the route marks internal. A request is retried on
 * another target only when the connection could not be made, the method is idempotent (or an Idempotency-Key
 * is present) and there is no body to replay: a POST is never sent twice. Connections come from
 * {@link UpstreamConnections}, which closes what it discards.
 */
public final class ProxyFilter implements Filter, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ProxyFilter.class.getName());
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");
    /** Upstream headers that reveal implementation details. */
    private static final Set<String> HIDDEN_RESPONSE_HEADERS = Set.of("server", "x-powered-by");
    /** Request headers the client sets for us, or that do not describe the forwarded request. */
    private static final Set<String> NOT_FORWARDED = Set.of("host", "expect", "content-length");

    private final UpstreamClients clients = new UpstreamClients();
    private final UpstreamConnections connections = new UpstreamConnections();

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        UpstreamPool pool = exchange.route().upstream();
        boolean replayable = !exchange.hasBody() && (IDEMPOTENT.contains(exchange.method())
                || exchange.requestHeaders().contains("Idempotency-Key"));
        int attempts = replayable ? 1 + pool.retries() : 1;
        boolean freshRetryUsed = false;
        Failure failure = null;
        for (int attempt = 0; attempt < attempts; attempt++) {
            UpstreamPool.Target target = pool.next();
            exchange.target(target.url());
            UpstreamConnections.Lease lease = null;
            try {
                lease = connections.borrow(clients.forConnectTimeout(pool.connectTimeout()), target,
                        pool.connectTimeout());
                return forward(exchange, pool, target, lease);
            } catch (RuntimeException e) {
                if (lease != null) {
                    lease.connection().closeResource();
                }
                failure = Failure.of(e);
                LOG.log(System.Logger.Level.DEBUG, () -> "upstream " + target.url() + " failed for request "
                        + exchange.requestId() + ": " + e);
                boolean staleReuse = lease != null && lease.reused() && failure == Failure.BROKEN;
                if (staleReuse && replayable && !freshRetryUsed) {
                    // A pooled connection the upstream closed meanwhile says nothing about the target:
                    // one extra attempt, which will find a live or fresh connection.
                    freshRetryUsed = true;
                    attempts++;
                    continue;
                }
                if (failure != Failure.NOT_CONNECTED) {
                    break;
                }
            }
        }
        return failure == Failure.TIMED_OUT
                ? Response.problem(Problem.of(ProblemType.UPSTREAM_TIMEOUT, null))
                : Response.problem(Problem.of(ProblemType.UPSTREAM_UNAVAILABLE, null));
    }

    private Response forward(Exchange exchange, UpstreamPool pool, UpstreamPool.Target target,
                             UpstreamConnections.Lease lease) {
        UriInfo uri = UriInfo.builder()
                .scheme(target.scheme())
                .host(target.host())
                .port(target.port())
                // The raw request target, query included, so WebClient writes it exactly as received.
                .path(UriPath.create(requestTarget(exchange, target)))
                .build();
        HttpClientRequest request = clients.forConnectTimeout(pool.connectTimeout())
                .method(Method.create(exchange.method()))
                .uri(ClientUri.create(uri))
                .connection(lease.connection())
                .readTimeout(pool.readTimeout())
                .followRedirects(false);
        request.headers(headers -> {
            for (Header header : requestHeaders(exchange)) {
                headers.set(header);
            }
        });
        long started = System.nanoTime();
        HttpClientResponse upstream;
        if (exchange.hasBody()) {
            InputStream body = exchange.body();
            upstream = request.outputStream(out -> {
                try (OutputStream o = out) {
                    body.transferTo(o);
                }
            });
        } else {
            upstream = request.request();
        }
        exchange.upstreamNanos(System.nanoTime() - started);
        return response(exchange, upstream);
    }

    static String requestTarget(Exchange exchange, UpstreamPool.Target target) {
        String path = exchange.rawPath();
        if (exchange.route().stripPrefix() && exchange.matchedPrefix() != null) {
            path = path.substring(exchange.matchedPrefix().length());
            if (!path.startsWith("/")) {
                path = "/" + path;
            }
        }
        path = target.basePath() + path;
        return exchange.rawQuery() == null ? path : path + "?" + exchange.rawQuery();
    }

    private static List<Header> requestHeaders(Exchange exchange) {
        HttpFields in = exchange.requestHeaders();
        Set<String> drop = HopByHop.namesIn(in);
        Map<String, List<String>> grouped = new LinkedHashMap<>();
        in.forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!drop.contains(lower) && !NOT_FORWARDED.contains(lower) && !lower.startsWith("x-forwarded-")) {
                grouped.computeIfAbsent(name, n -> new ArrayList<>(1)).add(value);
            }
        });
        if (exchange.hasBody() && exchange.contentLength() >= 0) {
            grouped.put("Content-Length", List.of(Long.toString(exchange.contentLength())));
        }
        String priorFor = String.join(", ", in.all("X-Forwarded-For"));
        String client = exchange.clientAddress();
        grouped.put("X-Forwarded-For", List.of(priorFor.isEmpty() ? client : priorFor + ", " + client));
        grouped.put("X-Forwarded-Proto", List.of(exchange.scheme()));
        if (exchange.host() != null) {
            grouped.put("X-Forwarded-Host", List.of(exchange.host()));
        }
        List<Header> headers = new ArrayList<>(grouped.size());
        grouped.forEach((name, values) -> headers.add(HeaderValues.create(name, values)));
        return headers;
    }

    private static Response response(Exchange exchange, HttpClientResponse upstream) {
        HttpFields raw = new HttpFields();
        for (Header header : upstream.headers()) {
            for (String value : header.allValues()) {
                raw.add(header.name(), value);
            }
        }
        Set<String> drop = HopByHop.namesIn(raw);
        Set<String> internal = exchange.route().internalHeaders();
        HttpFields headers = new HttpFields();
        raw.forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!drop.contains(lower) && !HIDDEN_RESPONSE_HEADERS.contains(lower) && !internal.contains(lower)) {
                headers.add(name, value);
            }
        });
        int status = upstream.status().code();
        boolean bodiless = "HEAD".equals(exchange.method()) || status == 204 || status == 304 || status < 200;
        if (bodiless) {
            upstream.close();
            return Response.of(status, headers, null);
        }
        String length = headers.first("Content-Length");
        long contentLength = length == null ? -1 : parseLength(length);
        return Response.of(status, headers, Body.streaming(upstream.inputStream(), contentLength, upstream::close));
    }

    private static long parseLength(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        connections.close();
        clients.close();
    }

    /** What went wrong talking to the upstream, decided from the exception's causes. */
    private enum Failure {
        NOT_CONNECTED, TIMED_OUT, BROKEN;

        static Failure of(Throwable error) {
            for (Throwable t = error; t != null; t = t.getCause()) {
                if (t instanceof SocketTimeoutException || t instanceof HttpTimeoutException) {
                    return TIMED_OUT;
                }
                if (t instanceof ConnectException) {
                    return NOT_CONNECTED;
                }
            }
            return BROKEN;
        }
    }
}
