package io.tollgate.gateway.http;

import io.helidon.common.socket.PeerInfo;
import io.helidon.webserver.ProxyProtocolData;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local ends of the connections this node's front door opened to Helidon's internal listener
 * ({@code io.tollgate.gateway.loop.Handover}), the only ones whose PROXY protocol line is to be believed. The
 * listener is on 127.0.0.1, so nothing off the host reaches it, but any process on the host could connect and
 * claim any client address; such a connection's socket peer is none of these, and its requests are refused
 * ({@link #vouchFor}). An address is added before the splice sends its PROXY line and removed when it ends, and a
 * connection's two ends are unique while it lasts, so no other connection can pass for a splice.
 */
public final class ProxiedPeers {
    private final Set<String> splices = ConcurrentHashMap.newKeySet();

    /** A splice connected from {@code local}; call before anything is sent on it. */
    public void opened(InetSocketAddress local) {
        splices.add(key(local.getAddress().getHostAddress(), local.getPort()));
    }

    /** The splice from {@code local} ended. */
    public void closed(InetSocketAddress local) {
        splices.remove(key(local.getAddress().getHostAddress(), local.getPort()));
    }

    /**
     * Whether a connection's client address may be taken as it says: always when it carries no PROXY data (its
     * socket peer is the client), else only when it comes from one of this node's splices.
     */
    public boolean vouchFor(Optional<ProxyProtocolData> proxyProtocol, PeerInfo socketPeer) {
        return proxyProtocol.isEmpty() || splices.contains(key(socketPeer.host(), socketPeer.port()));
    }

    private static String key(String host, int port) {
        return host + ' ' + port;
    }
}
