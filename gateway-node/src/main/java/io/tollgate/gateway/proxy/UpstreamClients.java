package io.tollgate.gateway.proxy;

import io.helidon.http.encoding.ContentEncodingContext;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.api.WebClient;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * WebClients configured as a proxy client needs them (no system proxy, no redirects, no Expect: 100-continue,
 * TCP_NODELAY). The connect timeout is a client setting in WebClient, so there is one client per distinct connect
 * timeout; services rarely differ, and a timeout shortened by a request's deadline is rounded down to a coarse step
 * ({@link #withinDeadline}), so this stays a few dozen at most. Connections are pooled by
 * {@link UpstreamConnections}, not by these clients.
 */
final class UpstreamClients {
    private final ConcurrentHashMap<Duration, WebClient> clients = new ConcurrentHashMap<>();

    WebClient forConnectTimeout(Duration connectTimeout) {
        return clients.computeIfAbsent(connectTimeout, UpstreamClients::create);
    }

    /**
     * The connect timeout for a new connection when {@code left} remains of the request's deadline: the service's
     * timeout, or what is left when that is shorter, rounded down to 10 ms steps below 100 ms, 50 ms steps below
     * 1 s and 250 ms steps above, never below 10 ms. Rounding down keeps a connect within the deadline (bar the
     * last 10 ms); the steps bound how many clients exist.
     */
    static Duration withinDeadline(Duration connectTimeout, Duration left) {
        if (left.compareTo(connectTimeout) >= 0) {
            return connectTimeout;
        }
        long ms = left.toMillis();
        long step = ms < 100 ? 10 : ms < 1000 ? 50 : 250;
        return Duration.ofMillis(Math.max(10, ms - ms % step));
    }

    private static WebClient create(Duration connectTimeout) {
        return WebClient.builder()
                .proxy(Proxy.noProxy())
                .followRedirects(false)
                .sendExpectContinue(false)
                .shareConnectionCache(false)
                // never decode upstream bodies: they are forwarded with their Content-Encoding as is
                .contentEncoding(ContentEncodingContext.builder().contentEncodingsDiscoverServices(false).build())
                .connectTimeout(connectTimeout)
                .socketOptions(s -> s.tcpNoDelay(true).connectTimeout(connectTimeout))
                .build();
    }

    void close() {
        clients.values().forEach(client -> client.closeResource());
        clients.clear();
    }
}
