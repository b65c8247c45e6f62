package io.tollgate.gateway.pipeline;

import io.tollgate.gateway.snapshot.KeySpec;
import io.tollgate.gateway.snapshot.RouteSpec;
import io.tollgate.gateway.snapshot.Snapshot;
import io.tollgate.gateway.snapshot.TenantPlan;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One request on its way through the pipeline: what the client sent (raw path and query exactly as received),
 * what the filters found out (snapshot, route, tenant, key), and headers every response must carry. One exchange
 * is handled by one thread; it is not shared.
 */
public final class Exchange {
    private final String method;
    private final String rawPath;
    private final String rawQuery;
    private final String host;
    private final String scheme;
    private final String clientAddress;
    private final HttpFields requestHeaders;
    private final long contentLength;
    private final boolean hasBody;
    private final long startNanos;
    private final Snapshot snapshot;
    private final HttpFields responseHeaders = new HttpFields();
    private final List<Consumer<Completion>> completionListeners = new ArrayList<>(1);

    private InputStream body;
    private String requestId;
    private String traceparent;
    private RouteSpec route;
    private String matchedPrefix;
    private TenantPlan tenant;
    private KeySpec key;
    private KeySpec claimedKey;
    private String jwtSubject;
    private String target;
    private long upstreamNanos = -1;
    private boolean webSocketUpgrade;
    private Tunnel tunnel;
    private boolean forwardsLater;

    /**
     * @param rawQuery      the query exactly as received, without '?', or null when the request had none
     * @param contentLength the declared length, or -1 when not declared
     * @param snapshot      the config this request is served with from start to end, or null when none is loaded
     */
    public Exchange(String method, String rawPath, String rawQuery, String host, String scheme, String clientAddress,
                    HttpFields requestHeaders, InputStream body, long contentLength, boolean hasBody,
                    long startNanos, Snapshot snapshot) {
        this.method = method;
        this.rawPath = rawPath;
        this.rawQuery = rawQuery;
        this.host = host;
        this.scheme = scheme;
        this.clientAddress = clientAddress;
        this.requestHeaders = requestHeaders;
        this.body = body;
        this.contentLength = contentLength;
        this.hasBody = hasBody;
        this.startNanos = startNanos;
        this.snapshot = snapshot;
    }

    public String method() {
        return method;
    }

    public String rawPath() {
        return rawPath;
    }

    public String rawQuery() {
        return rawQuery;
    }

    /** The Host the client asked for, as sent (may carry a port). */
    public String host() {
        return host;
    }

    public String scheme() {
        return scheme;
    }

    public String clientAddress() {
        return clientAddress;
    }

    /** Headers to forward: filters remove what must not reach the upstream (credentials). */
    public HttpFields requestHeaders() {
        return requestHeaders;
    }

    public InputStream body() {
        return body;
    }

    /** Wraps the request body (to count or cap it); the body is read once, by the forwarding step. */
    public void body(InputStream body) {
        this.body = body;
    }

    public long contentLength() {
        return contentLength;
    }

    public boolean hasBody() {
        return hasBody;
    }

    public long startNanos() {
        return startNanos;
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    /** Headers added to whatever response leaves, problem or upstream answer (request id, rate limit state). */
    public HttpFields responseHeaders() {
        return responseHeaders;
    }

    public String requestId() {
        return requestId;
    }

    public void requestId(String requestId) {
        this.requestId = requestId;
    }

    public String traceparent() {
        return traceparent;
    }

    public void traceparent(String traceparent) {
        this.traceparent = traceparent;
    }

    public RouteSpec route() {
        return route;
    }

    /** The route path that matched: the prefix strip_prefix removes. */
    public String matchedPrefix() {
        return matchedPrefix;
    }

    public void route(RouteSpec route, String matchedPrefix, TenantPlan tenant) {
        this.route = route;
        this.matchedPrefix = matchedPrefix;
        this.tenant = tenant;
    }

    public TenantPlan tenant() {
        return tenant;
    }

    public KeySpec key() {
        return key;
    }

    public void key(KeySpec key) {
        this.key = key;
    }

    /**
     * The key the credential named by its public id, whether or not it checked out (wrong secret, expired, other
     * tenant's), or null when it named none: what a denied request is attributed to.
     */
    public KeySpec claimedKey() {
        return claimedKey;
    }

    public void claimedKey(KeySpec claimedKey) {
        this.claimedKey = claimedKey;
    }

    /** The {@code sub} claim of the bearer token a jwt route accepted, or null (no token, or none in it). */
    public String jwtSubject() {
        return jwtSubject;
    }

    public void jwtSubject(String jwtSubject) {
        this.jwtSubject = jwtSubject;
    }

    /** The upstream target the request went to (its configured URL), or null. */
    public String target() {
        return target;
    }

    public void target(String target) {
        this.target = target;
    }

    /** Time to the upstream's response headers, or -1 when the request was not forwarded. */
    public long upstreamNanos() {
        return upstreamNanos;
    }

    public void upstreamNanos(long upstreamNanos) {
        this.upstreamNanos = upstreamNanos;
    }

    /** True for a WebSocket upgrade request (io.tollgate.gateway.ws): the proxy asks the upstream to switch too. */
    public boolean webSocketUpgrade() {
        return webSocketUpgrade;
    }

    public void markWebSocketUpgrade() {
        this.webSocketUpgrade = true;
    }

    /** The upstream connection after it answered 101 to a WebSocket upgrade; null otherwise. */
    public Tunnel tunnel() {
        return tunnel;
    }

    public void tunnel(Tunnel tunnel) {
        this.tunnel = tunnel;
    }

    /**
     * True when the forwarding step must not block: it answers {@link Response#deferred()} and the event loop
     * that read the request forwards it (io.tollgate.gateway.loop).
     */
    public boolean forwardsLater() {
        return forwardsLater;
    }

    public void forwardLater() {
        this.forwardsLater = true;
    }

    public void onComplete(Consumer<Completion> listener) {
        completionListeners.add(listener);
    }

    /** Called once by the HTTP boundary after the response is written (or writing failed). */
    public void complete(Completion completion) {
        for (Consumer<Completion> listener : completionListeners) {
            listener.accept(completion);
        }
    }
}
