package io.tollgate.gateway;

import io.tollgate.common.settings.Settings;

/**
 * Runs one gateway node configured from environment variables until the process is stopped. The access log goes
 * where {@code TOLLGATE_ACCESS_LOG} says (stdout by default, as bare JSON lines); everything else to stderr.
 */
public final class GatewayMain {
    private GatewayMain() {
    }

    public static void main(String[] args) {
        configureLogging();
        GatewayServer server = GatewayServer.start(Settings.fromEnvironment());
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "tollgate-gateway-shutdown"));
        System.err.println("tollgate gateway listening on " + server.port() + ", management on " + server.mgmtPort()
                + (server.tlsPort() >= 0 ? ", HTTPS on " + server.tlsPort() : ""));
    }

    /** What a gateway process sets before it starts (also used by {@code tollgate gateway}): no jOOQ banner. */
    public static void configureLogging() {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
    }
}
