package io.tollgate.gateway;

import io.tollgate.db.model.Service;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Active health checks under test: a setting that checks often, and the verdict a node's /metrics shows. */
final class HealthVerdicts {
    private HealthVerdicts() {
    }

    /** Checks every 100 ms with `path`, two results in a row flip the verdict; passive ejection and breaker off. */
    static Service.Resilience checked(String path) {
        return new Service.Resilience("round-robin", null, 0, 30_000, 0, 10_000, 1, path, 100, 1000, 2, 2);
    }

    /** "1" healthy, "0" unhealthy, "absent" not checked yet: the node's gauge for target {@code url} of {@code s}. */
    static String health(GatewayServer gateway, Service s, String url) {
        try {
            String metrics = RawHttp.get(gateway.mgmtPort(), "localhost", "/metrics").text();
            String prefix = "tollgate_upstream_target_healthy{service=\"" + s.name() + "\",service_id=\"" + s.id()
                    + "\",target=\"" + url + "\"} ";
            int at = metrics.indexOf(prefix);
            return at < 0 ? "absent" : metrics.substring(at + prefix.length(), at + prefix.length() + 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
