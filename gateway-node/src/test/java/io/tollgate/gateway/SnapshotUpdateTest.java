package io.tollgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.db.model.GatewayNode;
import io.tollgate.db.model.Route;
import io.tollgate.db.model.Service;
import io.tollgate.db.store.NodeStore;
import io.tollgate.db.store.RouteStore;
import io.tollgate.db.store.ServiceStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How config changes reach a running node: LISTEN, the polling fallback, and rejected versions. */
class SnapshotUpdateTest {
    @TempDir
    static Path dir;
    static Upstream upstream;

    @BeforeAll
    static void start() throws IOException {
        upstream = Upstream.ok();
    }

    @AfterAll
    static void stop() {
        upstream.close();
    }

    @Test
    void routeChangeIsServedThroughListenLongBeforeThePollInterval() throws IOException {
        // A one-minute poll: within the 10 s wait only the notification can bring the change.
        GatewayServer gateway = Gateways.start(dir.resolve("listen.json"),
                Map.of("TOLLGATE_CONFIG_POLL_MS", "60000", "TOLLGATE_CONFIG_LISTEN", "true"));
        try {
            var t = Seed.tenant();
            Route route = t.route(t.service(upstream.url()), "/before", "none");
            Gateways.awaitVersion(gateway, t.save());
            assertThat(RawHttp.get(gateway.port(), t.host, "/before").status()).isEqualTo(200);

            long version = Seed.change(dsl -> new RouteStore(dsl).update(new Route(route.id(), route.tenantId(),
                    route.serviceId(), route.name(), route.hosts(), List.of("/after"), route.methods(),
                    route.stripPrefix(), route.auth(), null, null, null, false, List.of(), route.rowVersion(), route.createdAt(),
                    route.updatedAt()), route.rowVersion()));
            Gateways.awaitVersion(gateway, version);

            assertThat(RawHttp.get(gateway.port(), t.host, "/after").status()).isEqualTo(200);
            assertThat(RawHttp.get(gateway.port(), t.host, "/before").status()).isEqualTo(404);
        } finally {
            gateway.stop();
        }
    }

    @Test
    void changeIsServedByPollingWhenListenIsOff() throws IOException {
        GatewayServer gateway = Gateways.start(dir.resolve("poll.json"),
                Map.of("TOLLGATE_CONFIG_POLL_MS", "200", "TOLLGATE_CONFIG_LISTEN", "false"));
        try {
            var t = Seed.tenant();
            t.route(t.service(upstream.url()), "/polled", "none");
            Gateways.awaitVersion(gateway, t.save());

            assertThat(RawHttp.get(gateway.port(), t.host, "/polled").status()).isEqualTo(200);
        } finally {
            gateway.stop();
        }
    }

    @Test
    void configThatDoesNotCompileIsRejectedAndTheLastGoodSnapshotServes() throws IOException {
        GatewayServer gateway = Gateways.start(dir.resolve("reject.json"), Map.of());
        var good = Seed.tenant();
        good.route(good.service(upstream.url()), "/good", "none");
        long goodVersion = good.save();
        Gateways.awaitVersion(gateway, goodVersion);

        var bad = Seed.tenant();
        Service broken = bad.service("ftp://not-http.example.test");
        bad.route(broken, "/bad", "none");
        long badVersion = bad.save();
        try {
            Gateways.await("version " + badVersion + " rejected",
                    () -> Gateways.ready(gateway).path("rejected_version").asLong() == badVersion);
            JsonNode ready = Gateways.ready(gateway);
            assertThat(ready.path("config_version").asLong()).isEqualTo(goodVersion);
            assertThat(ready.path("http_status").asInt()).isEqualTo(200);
            assertThat(RawHttp.get(gateway.port(), good.host, "/good").status()).isEqualTo(200);
        } finally {
            // Repair the shared database so later tests in this JVM compile again.
            long fixed = Seed.change(dsl -> new ServiceStore(dsl).update(new Service(broken.id(), broken.tenantId(),
                    broken.name(), broken.language(), broken.protocol(),
                    List.of(new Service.Target(upstream.url(), 1)), broken.connectTimeoutMs(), broken.readTimeoutMs(),
                    broken.retries(), broken.rowVersion(), broken.createdAt(), OffsetDateTime.now()),
                    broken.rowVersion()));
            try {
                Gateways.awaitVersion(gateway, fixed);
                assertThat(RawHttp.get(gateway.port(), bad.host, "/bad").status()).isEqualTo(200);
            } finally {
                gateway.stop();
            }
        }
    }

    @Test
    void nodeHeartbeatsItsAppliedVersion() {
        String nodeId = Seed.unique("node");
        GatewayServer gateway = Gateways.start(dir.resolve("beat.json"), Map.of("TOLLGATE_NODE_ID", nodeId));
        try {
            long version = Seed.tenant().save();
            Gateways.awaitVersion(gateway, version);

            Gateways.await("a heartbeat with version " + version, () -> new NodeStore(Seed.database().dsl()).all()
                    .stream().anyMatch(n -> n.id().equals(nodeId) && n.appliedVersion() >= version));
            GatewayNode node = new NodeStore(Seed.database().dsl()).all().stream()
                    .filter(n -> n.id().equals(nodeId)).findFirst().orElseThrow();
            assertThat(node.host()).isNotBlank();
        } finally {
            gateway.stop();
        }
    }
}
