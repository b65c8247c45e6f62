package io.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.db.model.AuditEvent;
import io.tollgate.db.store.AuditChain;
import io.tollgate.db.store.AuditStore;
import io.tollgate.db.store.ConfigStateStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.tollgate.admin.AdminFixture.json;
import static io.tollgate.admin.AdminFixture.unique;
import static io.tollgate.db.jooq.Tables.AUDIT_EVENTS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuditTrailTest {
    private final AdminFixture admin = AdminFixture.get();
    private final List<String> logLines = Collections.synchronizedList(new ArrayList<>());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            String text = new java.util.logging.SimpleFormatter().format(record);
            logLines.add(text);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLogs() {
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapture() {
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void everyMutationLeavesExactlyOneEventWithItsRequestId() {
        String slug = unique("aud");
        String root = admin.rootToken();
        record Step(String action, String method, String path, JsonNode body) {
        }
        List<Step> steps = List.of(
                new Step("tenant.create", "POST", "/tenants", json("slug", slug, "name", "Audited")),
                new Step("tenant.update", "PATCH", "/tenants/" + slug, json("name", "Audited 2")),
                new Step("service.create", "POST", "/tenants/" + slug + "/services", json("name", "svc",
                        "targets", new Object[]{Map.of("url", "http://127.0.0.1:9")})),
                new Step("service.update", "PATCH", "/tenants/" + slug + "/services/svc", json("retries", 2)),
                new Step("route.create", "POST", "/tenants/" + slug + "/routes", json("name", "r", "service", "svc",
                        "paths", new String[]{"/" + unique("aud")})),
                new Step("route.update", "PATCH", "/tenants/" + slug + "/routes/r", json("strip_prefix", true)),
                new Step("api-key.create", "POST", "/tenants/" + slug + "/api-keys", json("name", "k")),
                new Step("route.cache.purge", "POST", "/tenants/" + slug + "/routes/r/cache/purge", null),
                new Step("route.delete", "DELETE", "/tenants/" + slug + "/routes/r", null),
                new Step("service.delete", "DELETE", "/tenants/" + slug + "/services/svc", null),
                new Step("tenant.suspend", "PATCH", "/tenants/" + slug, json("status", "suspended")),
                new Step("tenant.delete", "DELETE", "/tenants/" + slug, null));
        UUID tenantId = null;
        for (Step step : steps) {
            String requestId = "req-" + UUID.randomUUID();
            long version = new ConfigStateStore(admin.db().dsl()).version();
            var reply = admin.call(step.method(), step.path(), root, step.body(), Map.of("X-Request-Id", requestId));
            assertThat(reply.status()).as(step.action() + ": " + reply.body()).isBetween(200, 299);
            assertThat(reply.header("X-Request-Id")).isEqualTo(requestId);
            List<AuditEvent> events = eventsWithRequestId(requestId);
            assertThat(events).as(step.action()).hasSize(1);
            AuditEvent e = events.getFirst();
            assertThat(e.action()).isEqualTo(step.action());
            assertThat(e.actorName()).isEqualTo(AdminFixture.ADMIN_EMAIL);
            assertThat(e.clientIp()).isEqualTo("127.0.0.1");
            if (tenantId == null) {
                tenantId = e.tenantId();
            }
            assertThat(e.tenantId()).isEqualTo(tenantId);
            assertThat(new ConfigStateStore(admin.db().dsl()).version()).isEqualTo(version + 1);
        }
        List<AuditEvent> updates = eventsWithAction(tenantId, "tenant.update");
        assertThat(updates.getFirst().before().get("name").asText()).isEqualTo("Audited");
        assertThat(updates.getFirst().after().get("name").asText()).isEqualTo("Audited 2");
    }

    @Test
    void aFailedMutationLeavesNoEventAndChangesNothing() {
        String slug = admin.tenant();
        String root = admin.rootToken();
        long version = new ConfigStateStore(admin.db().dsl()).version();
        List<String> requestIds = new ArrayList<>();
        record Attempt(String method, String path, JsonNode body, Map<String, String> headers, int status) {
        }
        List<Attempt> attempts = List.of(
                new Attempt("POST", "/tenants", json("slug", slug, "name", "dup"), Map.of(), 409),
                new Attempt("POST", "/tenants/" + slug + "/services", json("name", "bad", "targets", new Object[0]), Map.of(), 400),
                new Attempt("PATCH", "/tenants/" + slug, json("name", "stale"), Map.of("If-Match", "\"99\""), 412),
                new Attempt("POST", "/tenants/" + slug + "/routes", json("name", "r", "service", "nope",
                        "paths", new String[]{"/x"}), Map.of(), 400),
                new Attempt("DELETE", "/tenants/" + slug + "/api-keys/" + UUID.randomUUID(), null, Map.of(), 404));
        for (Attempt a : attempts) {
            String requestId = "fail-" + UUID.randomUUID();
            requestIds.add(requestId);
            var headers = new java.util.HashMap<>(a.headers());
            headers.put("X-Request-Id", requestId);
            var reply = admin.call(a.method(), a.path(), root, a.body(), headers);
            assertThat(reply.status()).as(reply.body()).isEqualTo(a.status());
            assertThat(reply.json().get("instance").asText()).endsWith(requestId);
        }
        for (String id : requestIds) {
            assertThat(eventsWithRequestId(id)).isEmpty();
        }
        assertThat(new ConfigStateStore(admin.db().dsl()).version()).isEqualTo(version);
        assertThat(admin.get("/tenants/" + slug, root).json().get("name").asText()).startsWith("Tenant ");
    }

    @Test
    void theDatabaseRefusesToUpdateOrDeleteAuditRows() throws SQLException {
        admin.tenant();
        try (Connection c = admin.db().dataSource().getConnection(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("update audit_events set action = 'forged'"))
                    .hasMessageContaining("append-only");
            assertThatThrownBy(() -> s.executeUpdate("delete from audit_events"))
                    .hasMessageContaining("append-only");
            assertThatThrownBy(() -> s.executeUpdate("truncate audit_events"))
                    .hasMessageContaining("append-only");
        }
    }

    @Test
    void eventsFormOneVerifiableHashChain() {
        admin.tenant();
        admin.tenant();
        List<AuditEvent> all = new AuditStore(admin.db().dsl())
                .page(new AuditStore.Filter(null, null, null, null, null, null), null, 100_000);
        assertThat(all).isNotEmpty();
        String prev = AuditChain.GENESIS;
        for (AuditEvent e : all) {
            assertThat(e.prevHash()).as("event %d links to the one before", e.id()).isEqualTo(prev);
            assertThat(AuditChain.hash(e.prevHash(), e)).as("event %d hash", e.id()).isEqualTo(e.hash());
            prev = e.hash();
        }
    }

    @Test
    void noSecretAppearsInAuditRowsOrLogLines() {
        String slug = admin.tenant();
        String root = admin.rootToken();
        String password = "secret-password-" + UUID.randomUUID();
        String email = unique("s") + "@tollgate.test";
        String userId = admin.post("/users", root, json("email", email, "password", password,
                "grants", new Object[]{Map.of("role", "tenant-admin", "tenant", slug)})).json().get("id").asText();
        String userToken = admin.signIn(email, password);
        admin.post("/auth/token", null, json("email", email, "password", password + "-wrong"));
        String newPassword = "changed-password-" + UUID.randomUUID();
        admin.patch("/users/" + userId, root, json("password", newPassword));
        String fullKey = admin.post("/tenants/" + slug + "/api-keys", userToken, json("name", "k")).json()
                .get("key").asText();
        String automation = admin.post("/tokens", root, json("name", "ci", "role", "auditor")).json()
                .get("token").asText();
        admin.get("/audit-events", automation);
        admin.call("GET", "/tenants", null, null, Map.of("Authorization", "Bearer " + automation + "x"));

        String keySecret = fullKey.substring(fullKey.lastIndexOf('_') + 1);
        List<String> secrets = List.of(password, newPassword, fullKey, keySecret, userToken, automation, root,
                AdminFixture.ADMIN_PASSWORD, AdminFixture.JWT_SECRET);
        String auditText = admin.db().dsl().select(org.jooq.impl.DSL.field("string_agg(audit_events::text, '\n')",
                String.class)).from(AUDIT_EVENTS).fetchOne(0, String.class);
        for (String secret : secrets) {
            assertThat(auditText).doesNotContain(secret);
            assertThat(String.join("\n", logLines)).doesNotContain(secret);
        }
        assertThat(auditText).contains("api-key.create").contains("token.create").contains("auth.sign-in-failed");
    }

    private List<AuditEvent> eventsWithRequestId(String requestId) {
        return admin.db().dsl().selectFrom(AUDIT_EVENTS).where(AUDIT_EVENTS.REQUEST_ID.eq(requestId))
                .fetch(AuditStore::map);
    }

    private List<AuditEvent> eventsWithAction(UUID tenantId, String action) {
        return admin.db().dsl().selectFrom(AUDIT_EVENTS)
                .where(AUDIT_EVENTS.TENANT_ID.eq(tenantId).and(AUDIT_EVENTS.ACTION.eq(action)))
                .fetch(AuditStore::map);
    }
}
