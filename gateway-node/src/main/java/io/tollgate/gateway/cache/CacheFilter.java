package io.tollgate.gateway.cache;

import io.tollgate.gateway.pipeline.Body;
import io.tollgate.gateway.pipeline.Chain;
import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.Filter;
import io.tollgate.gateway.pipeline.HttpFields;
import io.tollgate.gateway.pipeline.Response;
import io.tollgate.gateway.snapshot.CacheSpec;
import io.tollgate.gateway.snapshot.RouteSpec;
import io.tollgate.gateway.snapshot.Snapshot;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.LongAdder;

/**
 * Serves GET and HEAD answers of cache-enabled routes from the node's {@link ResponseCache} and stores what the
 * upstream allows (docs/gateway-resilience.md, "Response cache"). Every answer on such a route carries
 * {@code X-Cache: HIT}, {@code MISS}, {@code STALE} (a stored copy standing in for a failed upstream) or
 * {@code BYPASS} (the request cannot be served from the cache); a hit carries {@code Age}.
 *
 * <p>Never stored: statuses outside {@link #CACHEABLE}, answers with {@code Set-Cookie}, {@code Cache-Control:
 * private}, {@code no-store} or {@code no-cache} (or {@code Pragma: no-cache} without Cache-Control), {@code Vary:
 * *}, a freshness of 0, bodies over the per-entry limit (streamed through untouched), bodies followed by trailers,
 * and bodies that broke off.
 * Answers to authenticated requests, and to requests carrying credentials the upstream gets ({@code Authorization},
 * {@code Cookie}), are cached only when the route caches per consumer, under the consumer's key (which includes a
 * SHA-256 of those credentials).
 */
public final class CacheFilter implements Filter {
    static final String X_CACHE = "X-Cache";
    /** Statuses cacheable by default (RFC 9110 section 15.1) that a gateway sees from an upstream. */
    static final Set<Integer> CACHEABLE = Set.of(200, 203, 204, 301, 404, 405, 410, 414, 501);
    /** Answers that say the upstream failed, for which a stale copy may stand in. */
    private static final Set<Integer> UPSTREAM_FAILED = Set.of(502, 503, 504);
    /** Upstream headers never stored: recomputed per hit, or about the cache itself. */
    private static final Set<String> NOT_STORED = Set.of("age", "x-cache");

    private final ResponseCache cache;
    private final long maxEntryBytes;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder stale = new LongAdder();
    private final LongAdder bypasses = new LongAdder();

    /**
     * @param maxBytes      the most the cache holds, keys, headers and bodies together (estimated)
     * @param maxEntryBytes the largest body stored; larger ones stream through without being kept
     */
    public CacheFilter(long maxBytes, long maxEntryBytes) {
        this.cache = new ResponseCache(maxBytes);
        this.maxEntryBytes = maxEntryBytes;
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        RouteSpec route = exchange.route();
        CacheSpec spec = route.cache();
        if (spec == null || exchange.webSocketUpgrade()) {
            return chain.proceed(exchange);
        }
        String method = exchange.method();
        String consumer = consumer(exchange);
        // a Cookie or Authorization header on a route without gateway auth counts as authenticated (see consumer)
        boolean authenticated = consumer != null || !RouteSpec.AUTH_NONE.equals(route.auth());
        if (!("GET".equals(method) || "HEAD".equals(method))
                || exchange.requestHeaders().contains("Range")
                || authenticated && (!spec.perConsumer() || consumer == null)) {
            bypasses.increment();
            exchange.responseHeaders().set(X_CACHE, "BYPASS");
            return withoutUpstreamXCache(chain.proceed(exchange));
        }
        cache.generation(route.id(), spec.generation());
        CacheKey.Base base = new CacheKey.Base(route.tenantId(), route.id(), spec.generation(), method,
                exchange.scheme(), exchange.host() == null ? "" : exchange.host().toLowerCase(Locale.ROOT), exchange.rawPath(),
                CacheKey.normalizedQuery(exchange.rawQuery()), authenticated ? consumer : null);
        // the Vary values are read from the headers as they will be forwarded (credentials already removed)
        HttpFields request = exchange.requestHeaders();
        Cached.Answer found = cache.lookup(base, request);
        long now = System.nanoTime();
        if (found != null && found.freshAt(now)) {
            hits.increment();
            return serve(exchange, found, "HIT", now);
        }
        Response response = chain.proceed(exchange);
        if (found != null && UPSTREAM_FAILED.contains(response.status()) && found.usableStaleAt(System.nanoTime())) {
            if (response.body() != null) {
                response.body().close();
            }
            stale.increment();
            return serve(exchange, found, "STALE", System.nanoTime());
        }
        misses.increment();
        exchange.responseHeaders().set(X_CACHE, "MISS");
        if (response.isProblem()) {
            return response;
        }
        withoutUpstreamXCache(response);
        return store(base, request, spec, response);
    }

    /**
     * Who the request was authenticated as, for per-consumer keys: the API key's id, or the token's subject on a jwt
     * route; plus, when the request still carries credentials that go to the upstream ({@link #CREDENTIALS}: an
     * {@code Authorization} header left in place because the API key came in {@code X-API-Key}, a route without
     * gateway auth, a {@code Cookie}), a SHA-256 of those values. The upstream may answer per session (RFC 9111
     * section 3.5: a shared cache does not reuse an answer to such a request for anyone else), so each set of
     * credentials gets its own copy, and requests carrying them are never served from or stored in the shared copy.
     * Null when the request names no one.
     */
    private static String consumer(Exchange exchange) {
        String credentials = forwardedCredentials(exchange.requestHeaders());
        String who;
        if (exchange.key() != null) {
            who = "key:" + exchange.key().id();
        } else if (RouteSpec.AUTH_JWT.equals(exchange.route().auth())) {
            if (exchange.jwtSubject() == null) {
                return null;
            }
            who = "jwt:" + exchange.jwtSubject();
        } else if (RouteSpec.AUTH_NONE.equals(exchange.route().auth())) {
            who = null;
        } else {
            return null;
        }
        if (credentials == null) {
            return who;
        }
        return (who == null ? "" : who + "|") + "credentials:" + credentials;
    }

    /**
     * Request headers that, forwarded to the upstream, may make its answer personal ({@code Proxy-Authorization} is
     * hop-by-hop: the proxy never forwards it).
     */
    static final List<String> CREDENTIALS = List.of("Authorization", "Cookie");

    /** A SHA-256 of the credential headers the request will forward, names included; null when it has none. */
    private static String forwardedCredentials(HttpFields request) {
        StringBuilder all = null;
        for (String name : CREDENTIALS) {
            List<String> values = request.all(name);
            if (!values.isEmpty()) {
                all = all == null ? new StringBuilder() : all;
                all.append(name).append('\n').append(String.join("\n", values)).append('\n');
            }
        }
        return all == null ? null : CacheKey.sha256(all.toString());
    }

    private static Response withoutUpstreamXCache(Response response) {
        if (!response.isProblem()) {
            response.headers().remove(X_CACHE);
        }
        return response;
    }

    private Response serve(Exchange exchange, Cached.Answer answer, String how, long now) {
        HttpFields headers = new HttpFields();
        List<String> stored = answer.headers();
        for (int i = 0; i < stored.size(); i += 2) {
            headers.add(stored.get(i), stored.get(i + 1));
        }
        headers.set("Age", Long.toString(answer.ageSeconds(now)));
        exchange.responseHeaders().set(X_CACHE, how);
        Body body = answer.body() == null ? null
                : Body.streaming(new ByteArrayInputStream(answer.body()), answer.body().length, () -> { });
        return Response.of(answer.status(), headers, body);
    }

    /** The response as it goes to the client; when it may be stored, its body is copied on the way. */
    private Response store(CacheKey.Base base, HttpFields request, CacheSpec spec, Response response) {
        HttpFields headers = response.headers();
        if (!CACHEABLE.contains(response.status()) || headers.contains("Set-Cookie")) {
            return response;
        }
        List<String> cacheControl = headers.all("Cache-Control");
        CacheControl cc = CacheControl.parse(cacheControl);
        if (cc.noStore() || cc.noCache() || cc.isPrivate()
                || cacheControl.isEmpty() && headers.all("Pragma").stream().anyMatch(p -> p.contains("no-cache"))) {
            return response;
        }
        List<String> vary = varyNames(headers);
        if (vary == null) {
            return response;
        }
        long initialAge = ageOf(headers.first("Age"));
        long ttlSeconds = spec.ttl().toSeconds();
        Long upstream = cc.lifetime();
        if (upstream != null) {
            ttlSeconds = Math.min(ttlSeconds, upstream - initialAge);
        }
        if (ttlSeconds <= 0) {
            return response;
        }
        long storedAt = System.nanoTime();
        long freshUntil = storedAt + ttlSeconds * 1_000_000_000L;
        long expiresAt = freshUntil + spec.staleIfError().toNanos();
        List<String> kept = new ArrayList<>(headers.size() * 2);
        headers.forEach((name, value) -> {
            if (!NOT_STORED.contains(name.toLowerCase(Locale.ROOT))) {
                kept.add(name);
                kept.add(value);
            }
        });
        List<String> keptHeaders = List.copyOf(kept);
        int status = response.status();
        Body body = response.body();
        if (body == null) {
            cache.store(base, vary, request, new Cached.Answer(status, keptHeaders, null, storedAt, initialAge,
                    freshUntil, expiresAt, cc.mustRevalidate()));
            return response;
        }
        if (body.length() > maxEntryBytes || body.expectsTrailers()) {
            // too large to keep, or trailers follow (gRPC-style answers): passed through as they are
            return response;
        }
        return Response.of(status, headers, new CopyingBody(body, maxEntryBytes, bytes ->
                cache.store(base, vary, request, new Cached.Answer(status, keptHeaders, bytes, storedAt, initialAge,
                        freshUntil, expiresAt, cc.mustRevalidate()))));
    }

    /** The lower-case, sorted names in the answer's Vary fields; null for {@code Vary: *} (never stored). */
    private static List<String> varyNames(HttpFields headers) {
        TreeSet<String> names = new TreeSet<>();
        for (String value : headers.all("Vary")) {
            for (String name : value.split(",")) {
                String n = name.trim().toLowerCase(Locale.ROOT);
                if (n.equals("*")) {
                    return null;
                }
                if (!n.isEmpty()) {
                    names.add(n);
                }
            }
        }
        return List.copyOf(names);
    }

    private static long ageOf(String value) {
        if (value == null) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Notes the purge generations of a newly applied snapshot, so a purge frees the route's entries when its config
     * version arrives rather than at the route's next request.
     */
    public void snapshotApplied(Snapshot snapshot) {
        snapshot.routes().forEachRoute(route -> {
            if (route.cache() != null) {
                cache.generation(route.id(), route.cache().generation());
            }
        });
    }

    /** The cache's metrics in the Prometheus text format, appended to the node's /metrics. */
    public String renderMetrics() {
        StringBuilder out = new StringBuilder(512);
        out.append("# HELP tollgate_cache_requests_total Requests on cache-enabled routes, by how the cache answered.\n");
        out.append("# TYPE tollgate_cache_requests_total counter\n");
        out.append("tollgate_cache_requests_total{result=\"bypass\"} ").append(bypasses.sum()).append('\n');
        out.append("tollgate_cache_requests_total{result=\"hit\"} ").append(hits.sum()).append('\n');
        out.append("tollgate_cache_requests_total{result=\"miss\"} ").append(misses.sum()).append('\n');
        out.append("tollgate_cache_requests_total{result=\"stale\"} ").append(stale.sum()).append('\n');
        out.append("# HELP tollgate_cache_bytes Bytes the response cache holds (bodies, headers and keys, estimated).\n");
        out.append("# TYPE tollgate_cache_bytes gauge\n");
        out.append("tollgate_cache_bytes ").append(cache.bytes()).append('\n');
        out.append("# HELP tollgate_cache_max_bytes The most the response cache may hold (TOLLGATE_CACHE_MAX_BYTES).\n");
        out.append("# TYPE tollgate_cache_max_bytes gauge\n");
        out.append("tollgate_cache_max_bytes ").append(cache.maxBytes()).append('\n');
        out.append("# HELP tollgate_cache_entries Entries in the response cache (answers and Vary lists).\n");
        out.append("# TYPE tollgate_cache_entries gauge\n");
        out.append("tollgate_cache_entries ").append(cache.entries()).append('\n');
        return out.toString();
    }

    /**
     * Streams the upstream body to the client and keeps a copy, up to {@code limit} bytes, handed to
     * {@code complete} only when the whole body was copied (and matched its declared length). A body that grows
     * past the limit keeps streaming; only the copy is dropped.
     */
    private static final class CopyingBody implements Body {
        private final Body body;
        private final long limit;
        private final java.util.function.Consumer<byte[]> complete;

        CopyingBody(Body body, long limit, java.util.function.Consumer<byte[]> complete) {
            this.body = body;
            this.limit = limit;
            this.complete = complete;
        }

        @Override
        public long length() {
            return body.length();
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            Copy copy = new Copy(out, limit);
            body.writeTo(copy);
            byte[] bytes = copy.bytes();
            if (bytes != null && (body.length() < 0 || bytes.length == body.length()) && body.trailers().size() == 0) {
                complete.accept(bytes);
            }
        }

        @Override
        public boolean expectsTrailers() {
            return body.expectsTrailers();
        }

        @Override
        public HttpFields trailers() {
            return body.trailers();
        }

        @Override
        public void close() {
            body.close();
        }
    }

    private static final class Copy extends FilterOutputStream {
        private final long limit;
        private ByteArrayOutputStream copy = new ByteArrayOutputStream();

        Copy(OutputStream out, long limit) {
            super(out);
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            keep(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            keep(b, off, len);
        }

        private void keep(byte[] b, int off, int len) {
            if (copy == null) {
                return;
            }
            if (copy.size() + (long) len > limit) {
                copy = null;
                return;
            }
            copy.write(b, off, len);
        }

        byte[] bytes() {
            return copy == null ? null : copy.toByteArray();
        }

        @Override
        public void close() {
            // the caller closes the client stream, after the whole body
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }
}
