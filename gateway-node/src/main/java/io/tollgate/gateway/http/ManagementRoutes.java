package io.tollgate.gateway.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.tollgate.common.json.Json;
import io.tollgate.gateway.observe.GatewayMetrics;
import io.tollgate.gateway.snapshot.SnapshotHolder;

/**
 * The management port: {@code /health/live} (the process answers), {@code /health/ready} (503 until a snapshot
 * is in place; 200 with {@code "degraded": true} while serving one the database could not confirm) and
 * {@code /metrics} in Prometheus text format. A node shutting down answers readiness 503 {@code "DRAINING"}.
 * The readiness body also names the last config version that was
 * rejected because it did not compile, so an operator sees why a node stays on an older version, and what the
 * node's listeners add through {@code details} (the HTTPS certificate being served).
 */
public final class ManagementRoutes {
    private static final String JSON = "application/json";

    private ManagementRoutes() {
    }

    public static void register(HttpRouting.Builder routing, SnapshotHolder snapshots, GatewayMetrics metrics,
                                Drain drain, java.util.function.Consumer<ObjectNode> details) {
        routing.get("/health/live", (req, res) -> {
            res.header(HeaderNames.CONTENT_TYPE, JSON);
            res.send("{\"status\":\"UP\"}");
        });
        routing.get("/health/ready", (req, res) -> {
            boolean ready = snapshots.current() != null && !drain.unready();
            ObjectNode body = Json.mapper().createObjectNode()
                    .put("status", drain.unready() ? "DRAINING" : ready ? "UP" : "DOWN")
                    .put("config_version", snapshots.version())
                    .put("source", snapshots.source().name().toLowerCase(java.util.Locale.ROOT))
                    .put("degraded", snapshots.degraded())
                    .put("rejected_version", snapshots.rejectedVersion());
            details.accept(body);
            res.status(ready ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503);
            res.header(HeaderNames.CONTENT_TYPE, JSON);
            res.header(HeaderNames.CACHE_CONTROL, "no-store");
            res.send(body.toString());
        });
        routing.get("/metrics", (req, res) -> {
            res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            res.send(metrics.render());
        });
    }
}
