package io.tollgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.db.model.Service;
import io.tollgate.db.store.ServiceStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A node that cannot reach PostgreSQL at start serves the last good snapshot from disk and says it is degraded. */
class DiskSnapshotTest {
    @TempDir
    Path dir;

    @Test
    void nodeStartedWithoutTheDatabaseServesTheSnapshotFromDisk() throws IOException {
        Path file = dir.resolve("gateway-snapshot.json");
        try (Upstream upstream = Upstream.ok()) {
            var t = Seed.tenant();
            t.route(t.service(upstream.url()), "/cached", "api-key");
            var key = t.key();
            long version = t.save();

            GatewayServer online = Gateways.start(file, Map.of());
            try {
                Gateways.awaitVersion(online, version);
            } finally {
                online.stop();
            }
            assertThat(file).exists();
            assertThat(Files.readString(file)).doesNotContain(key.plaintext());

            // Nothing listens on port 1: every connection to "PostgreSQL" is refused.
            GatewayServer offline = Gateways.start(file, Map.of(
                    "TOLLGATE_DB_URL", "jdbc:postgresql://127.0.0.1:1/tollgate"));
            try {
                JsonNode ready = Gateways.ready(offline);
                assertThat(ready.path("http_status").asInt()).isEqualTo(200);
                assertThat(ready.path("degraded").asBoolean()).isTrue();
                assertThat(ready.path("source").asText()).isEqualTo("disk");
                assertThat(ready.path("config_version").asLong()).isGreaterThanOrEqualTo(version);

                RawHttp.Reply reply = RawHttp.get(offline.port(), t.host, "/cached", "X-API-Key", key.plaintext());
                assertThat(reply.status()).isEqualTo(200);
                assertThat(RawHttp.get(offline.port(), t.host, "/cached").status()).isEqualTo(401);
            } finally {
                offline.stop();
            }
        }
    }

    @Test
    void nodeStartingOnAConfigThatDoesNotCompileServesTheSnapshotFromDisk() throws IOException {
        Path file = dir.resolve("gateway-snapshot.json");
        try (Upstream upstream = Upstream.ok()) {
            var t = Seed.tenant();
            t.route(t.service(upstream.url()), "/kept", "none");
            long version = t.save();
            GatewayServer online = Gateways.start(file, Map.of());
            try {
                Gateways.awaitVersion(online, version);
            } finally {
                online.stop();
            }

            var bad = Seed.tenant();
            Service broken = bad.service("ftp://not-http.example.test");
            long badVersion = bad.save();
            GatewayServer restarted = Gateways.start(file, Map.of());
            try {
                JsonNode ready = Gateways.ready(restarted);
                assertThat(ready.path("http_status").asInt()).isEqualTo(200);
                assertThat(ready.path("source").asText()).isEqualTo("disk");
                assertThat(ready.path("rejected_version").asLong()).isEqualTo(badVersion);
                assertThat(RawHttp.get(restarted.port(), t.host, "/kept").status()).isEqualTo(200);
            } finally {
                restarted.stop();
                // Repair the shared database so later tests in this JVM compile again.
                Seed.change(dsl -> new ServiceStore(dsl).update(new Service(broken.id(), broken.tenantId(),
                        broken.name(), broken.language(), broken.protocol(),
                        List.of(new Service.Target("http://127.0.0.1:9", 1)), broken.connectTimeoutMs(),
                        broken.readTimeoutMs(), broken.retries(), broken.rowVersion(), broken.createdAt(),
                        OffsetDateTime.now()), broken.rowVersion()));
            }
        }
    }

    @Test
    void nodeWithoutDatabaseOrSnapshotIsNotReady() throws IOException {
        GatewayServer offline = Gateways.start(dir.resolve("missing.json"), Map.of(
                "TOLLGATE_DB_URL", "jdbc:postgresql://127.0.0.1:1/tollgate"));
        try {
            assertThat(Gateways.ready(offline).path("http_status").asInt()).isEqualTo(503);
            RawHttp.Reply reply = RawHttp.get(offline.port(), "any.example.test", "/x");
            assertThat(reply.status()).isEqualTo(503);
        } finally {
            offline.stop();
        }
    }
}
