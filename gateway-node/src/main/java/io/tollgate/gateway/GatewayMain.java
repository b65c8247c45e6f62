package io.tollgate.gateway;

import io.tollgate.common.settings.Settings;

/** Runs one gateway node configured from environment variables until the process is stopped. */
public final class GatewayMain {
    private GatewayMain() {
    }

    public static void main(String[] args) {
        GatewayServer server = GatewayServer.start(Settings.fromEnvironment());
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "tollgate-gateway-shutdown"));
        System.out.println("tollgate gateway listening on " + server.port() + ", management on " + server.mgmtPort());
    }
}
