package io.tollgate.gateway.http;

import io.helidon.common.socket.PeerInfo;
import io.helidon.webserver.ProxyProtocolData;

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
}
