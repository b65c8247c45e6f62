package io.tollgate.console;

import io.tollgate.admin.AdminServer;
import io.tollgate.common.settings.Settings;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * The admin process with the console: the REST API under {@code /api/v1} and the console at {@code /}, one
 * server, one database pool. The "try this route" page sends requests to the gateway node named by
 * {@code TOLLGATE_CONSOLE_GATEWAY_URL} (default {@value #DEFAULT_GATEWAY_URL}).
 */
public final class ConsoleServer {
    public static final String DEFAULT_GATEWAY_URL = "http://127.0.0.1:8080";

    private ConsoleServer() {
    }

    public static AdminServer start(Settings settings) {
        return start(settings, System.getenv());
    }

    /** As {@link #start(Settings)}, reading the console's own settings from {@code env}. */
    public static AdminServer start(Settings settings, Map<String, String> env) {
        String gateway = env.getOrDefault("TOLLGATE_CONSOLE_GATEWAY_URL", "").strip();
        URI gatewayUrl = URI.create(gateway.isEmpty() ? DEFAULT_GATEWAY_URL : gateway.replaceAll("/+$", ""));
        // "Try this route" must send the route's Host header; the JDK client refuses to unless allowed, and
        // reads this once. Only Host is added, and only when nothing else set the property.
        if (System.getProperty("jdk.httpclient.allowRestrictedHeaders") == null) {
            System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
        }
        return AdminServer.start(settings, ctx -> List.of(new Console(ctx, gatewayUrl)));
    }
}
