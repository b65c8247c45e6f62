package io.tollgate.gateway.http;

import io.helidon.common.Weight;
import io.helidon.webserver.ProtocolConfigs;
import io.helidon.webserver.http1.spi.Http1UpgradeProvider;
import io.helidon.webserver.http1.spi.Http1Upgrader;

/**
 * Service-loaded by Helidon's HTTP/1 connection provider: on a listener configured with an {@link H2cUpgrade}, the
 * {@code h2c} upgrade goes through the drain's upgrader, so connections upgraded from HTTP/1.1 are told GOAWAY like
 * the others. Helidon keeps the first upgrader per protocol, in weight order: this one weighs more than Helidon's
 * own HTTP/2 upgrade provider (default weight), and gives nothing on listeners without the configuration.
 */
@Weight(200)
public final class H2cUpgradeProvider implements Http1UpgradeProvider<H2cUpgrade> {

    /** For the service loader. */
    public H2cUpgradeProvider() {
    }

    @Override
    public String protocolType() {
        return H2cUpgrade.TYPE;
    }

    @Override
    public Class<H2cUpgrade> protocolConfigType() {
        return H2cUpgrade.class;
    }

    @Override
    public Http1Upgrader create(H2cUpgrade config, ProtocolConfigs configs) {
        return config.upgrader();
    }
}
