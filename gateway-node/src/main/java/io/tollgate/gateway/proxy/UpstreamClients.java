package io.tollgate.gateway.proxy;

import io.helidon.http.encoding.ContentEncodingContext;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.api.WebClient;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * WebClients configured as a proxy client needs them (no system proxy, no redirects, no Expect: 100-continue,
 * TCP_NODELAY). The connect timeout is a client setting in WebClient, so there is one client per distinct connect
 * timeout; services rarely differ, so this stays a handful. Connections are pooled by {@link UpstreamConnections},
 * not by these clients.
 */
final class UpstreamClients {
    private final ConcurrentHashMap<Duration, WebClient> clients = new ConcurrentHashMap<>();

    WebClient forConnectTimeout(Duration connectTimeout) {
        return clients.computeIfAbsent(connectTimeout, UpstreamClients::create);
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
