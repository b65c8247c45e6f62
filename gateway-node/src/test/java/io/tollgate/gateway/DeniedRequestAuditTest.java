package io.tollgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.db.model.AuditEvent;
import io.tollgate.db.store.AuditChain;
import io.tollgate.db.store.AuditStore;
import io.tollgate.db.store.AuditVerifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** 401/403/429 answers become one chained audit event per tenant, key, route, status and minute. */
class DeniedRequestAuditTest {
    @TempDir
    Path dir;

    private static final Map<String, String> FAST_FLUSH = Map.of("TOLLGATE_USAGE_FLUSH_MS", "100");

    private static List<AuditEvent> deniedEvents(Seed.TenantRows tenant) {
        return new AuditStore(Seed.database().dsl())
                .page(new AuditStore.Filter(tenant.id, null, null, null, "gateway.denied", null), null, 100);
    }

    @Test
    void aBurstOfBadKeysIsOneAggregatedEventAndTheChainStillVerifies() throws IOException {
        try (Upstream upstream = Upstream.ok()) {
            var tenant = Seed.tenant();
            var route = tenant.route(tenant.service(upstream.url()), "/guarded", "api-key");
            Seed.Key key = tenant.key();
            var other = Seed.tenant();
            other.route(other.service(upstream.url()), "/elsewhere", "none");
            Seed.Key otherTenantsKey = other.key();
            other.save();
            long version = tenant.save();
            TestClock clock = TestClock.inCurrentMinute(10);
            String wrongSecret = "tg_" + key.row().publicId() + "_not-the-secret";

            GatewayServer gateway = Gateways.start(dir.resolve("snap.json"), FAST_FLUSH, clock);
            try {
                Gateways.awaitVersion(gateway, version);
                for (int i = 0; i < 7; i++) {
                    assertThat(RawHttp.get(gateway.port(), tenant.host, "/guarded", "X-API-Key", wrongSecret)
                            .status()).isEqualTo(401);
                }
                for (int i = 0; i < 3; i++) {
                    assertThat(RawHttp.get(gateway.port(), tenant.host, "/guarded").status()).isEqualTo(401);
                }
                assertThat(RawHttp.get(gateway.port(), tenant.host, "/guarded", "X-API-Key",
                        otherTenantsKey.plaintext()).status()).isEqualTo(403);
                assertThat(RawHttp.get(gateway.port(), tenant.host, "/guarded", "X-API-Key", key.plaintext())
                        .status()).isEqualTo(200);
                // nothing for a minute that has not ended
                assertThat(deniedEvents(tenant)).isEmpty();

                clock.advance(Duration.ofMinutes(1));
                Gateways.await("the denied-request events", () -> deniedEvents(tenant).size() == 3);
            } finally {
                gateway.stop();
            }

            // appended once: stopping the node adds nothing for that minute
            List<AuditEvent> events = deniedEvents(tenant);
            assertThat(events).hasSize(3);
            String minute = clock.instant().minusSeconds(70).toString();
            for (AuditEvent e : events) {
                assertThat(e.actorType()).isEqualTo("system");
                assertThat(e.actorName()).isNotBlank();
                assertThat(e.tenantId()).isEqualTo(tenant.id);
                assertThat(e.targetId()).isEqualTo(route.id().toString());
                assertThat(e.after().path("minute").asText()).isEqualTo(minute);
                assertThat(e.after().path("route_id").asText()).isEqualTo(route.id().toString());
                assertThat(e.after().path("node").asText()).isEqualTo(e.actorName());
            }
            assertThat(events).extracting(e -> summary(e.after())).containsExactlyInAnyOrder(
                    key.row().publicId() + " 401 x7", "none 401 x3", "none 403 x1");
            String everything = events.toString();
            assertThat(everything).doesNotContain(key.plaintext()).doesNotContain("not-the-secret")
                    .doesNotContain(otherTenantsKey.row().publicId());

            AuditVerifier verifier = new AuditVerifier(AuditChain.GENESIS);
            AuditStore.stream(Seed.database(), new AuditStore.Filter(null, null, null, null, null, null),
                    verifier::accept);
            assertThat(verifier.result().firstBreak()).isEmpty();
            assertThat(verifier.result().checked()).isGreaterThanOrEqualTo(3);
        }
    }

    private static String summary(JsonNode after) {
        String key = after.path("key_public_id").isNull() ? "none" : after.path("key_public_id").asText();
        return key + " " + after.path("status").asInt() + " x" + after.path("count").asLong();
    }

    @Test
    void requestsWithoutARouteAreNotAudited() throws IOException {
        TestClock clock = TestClock.inCurrentMinute(10);
        var tenant = Seed.tenant();
        long version = tenant.save();
        GatewayServer gateway = Gateways.start(dir.resolve("snap.json"), FAST_FLUSH, clock);
        try {
            Gateways.awaitVersion(gateway, version);
            assertThat(RawHttp.get(gateway.port(), tenant.host, "/nothing-here").status()).isEqualTo(404);
        } finally {
            gateway.stop();
        }
        assertThat(deniedEvents(tenant)).isEmpty();
    }
}
