package io.tollgate.gateway.ws;

import io.helidon.webserver.ProtocolConfigs;
import io.helidon.webserver.http1.spi.Http1UpgradeProvider;
import io.helidon.webserver.http1.spi.Http1Upgrader;

/**
 * Service-loaded by Helidon's HTTP/1 connection provider; gives the upgrader of a listener that was configured
 * with a {@link WebSocketProtocol}, and nothing for listeners without one.
 */
public final class WebSocketUpgradeProvider implements Http1UpgradeProvider<WebSocketProtocol> {

    /** For the service loader. */
    public WebSocketUpgradeProvider() {
    }

    @Override
    public String protocolType() {
        return WebSocketProtocol.TYPE;
    }

    @Override
    public Class<WebSocketProtocol> protocolConfigType() {
        return WebSocketProtocol.class;
    }

    @Override
    public Http1Upgrader create(WebSocketProtocol config, ProtocolConfigs configs) {
        return config.upgrader();
    }
}
