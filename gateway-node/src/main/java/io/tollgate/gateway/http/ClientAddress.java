package io.tollgate.gateway.http;

import io.helidon.common.socket.PeerInfo;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.ProxyProtocolData;
import io.tollgate.gateway.pipeline.HttpFields;

import java.util.List;
import java.util.Optional;

/**
 * The client's address as the pipeline sees it (client IP in the access log, usage rows, per-IP decisions). A
 * connection the front door handed over ({@code io.tollgate.gateway.loop.Handover}) reaches Helidon from 127.0.0.1
 * on the internal listener, with the real client's address in its PROXY protocol line; any other connection's
 * client is its socket peer. One rule, so the plain requests and the WebSocket upgrades cannot drift apart.
 */
public final class ClientAddress {
    private ClientAddress() {
    }

    /**
     * The PROXY protocol source address when the connection began with a PROXY line naming one (TCP4/TCP6), else
     * the socket peer's host. {@code remotePeer} is only asked when needed.
     */
    public static String of(Optional<ProxyProtocolData> proxyProtocol, PeerInfo remotePeer) {
        if (proxyProtocol.isPresent()) {
            ProxyProtocolData data = proxyProtocol.get();
            // "PROXY UNKNOWN" (and a v2 LOCAL command) carries no usable source: the socket peer is all there is
            if (data.family() == ProxyProtocolData.Family.IPv4 || data.family() == ProxyProtocolData.Family.IPv6) {
                String source = data.sourceAddress();
                if (source != null && !source.isEmpty()) {
                    return source;
                }
            }
        }
        return remotePeer.host();
    }

    /**
     * The request's fields as the client sent them. On a connection that began with a PROXY line, Helidon 4.5 adds
     * the line's source to {@code X-Forwarded-For} (as its last value) and sets {@code X-Forwarded-Port} on every
     * HTTP/1.1 request (and so on an h2c upgrade's first one): neither came from the client, and the proxy step
     * adds the client's address itself, so both are left out. (HTTP/2 streams get no such additions; there a last
     * value equal to the client's own address is left out too, which the proxy step puts back.)
     */
    public static HttpFields fields(Iterable<Header> headers, Optional<ProxyProtocolData> proxyProtocol) {
        HttpFields fields = new HttpFields();
        String source = proxyProtocol.map(ProxyProtocolData::sourceAddress).orElse(null);
        for (Header header : headers) {
            if (source != null && header.name().equalsIgnoreCase(HeaderNames.X_FORWARDED_PORT.defaultCase())) {
                continue;
            }
            if (header.valueCount() == 1 && source == null) {
                fields.add(header.name(), header.get());   // the usual case: no list of values built
                continue;
            }
            List<String> values = header.allValues();
            int count = values.size();
            if (source != null && count > 0 && source.equals(values.get(count - 1))
                    && header.name().equalsIgnoreCase(HeaderNames.X_FORWARDED_FOR.defaultCase())) {
                count--;   // Helidon's addition
            }
            for (int i = 0; i < count; i++) {
                fields.add(header.name(), values.get(i));
            }
        }
        return fields;
    }
}
