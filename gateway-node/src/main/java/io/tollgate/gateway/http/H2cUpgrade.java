package io.tollgate.gateway.http;

import io.helidon.webserver.http1.spi.Http1Upgrader;
import io.helidon.webserver.spi.ProtocolConfig;

/**
 * The "protocol configuration" that carries a drain's {@code Upgrade: h2c} upgrader to Helidon, which hands it to
 * {@link H2cUpgradeProvider} when it builds a listener's HTTP/1 connections. Added to the gateway listeners only
 * ({@link Drain#h2cUpgrade()}); the management listener keeps Helidon's own.
 */
public record H2cUpgrade(Http1Upgrader upgrader) implements ProtocolConfig {
    static final String TYPE = "tollgate-h2c-upgrade";

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public String type() {
        return TYPE;
    }
}
