package io.tollgate.gateway.ws;

import io.helidon.webserver.spi.ProtocolConfig;

/**
 * The "protocol configuration" that carries one gateway's {@link WebSocketUpgrader} to Helidon, which hands it to
 * {@link WebSocketUpgradeProvider} (found by the service loader) when it builds the listener's HTTP/1 connections.
 * Added to the gateway listeners (plain and HTTPS) only, so the management listener never upgrades.
 */
public record WebSocketProtocol(WebSocketUpgrader upgrader) implements ProtocolConfig {
    static final String TYPE = "tollgate-websocket";

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public String type() {
        return TYPE;
    }
}
