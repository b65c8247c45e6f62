package io.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Map;

import static io.tollgate.admin.AdminFixture.json;
import static io.tollgate.admin.AdminFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

class TenantApiTest {
    private final AdminFixture admin = AdminFixture.get();

    @Test
    void platformAdminCreatesReadsUpdatesAndDeletesATenant() {
        String slug = unique("acme");
        var created = admin.post("/tenants", admin.rootToken(), json("slug", slug, "name", "Acme",
                "plan", Map.of("rate_per_second", 50, "burst", 100, "quota", 100000, "quota_period", "day")));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("Location")).isEqualTo("/api/v1/tenants/" + slug);
        assertThat(created.header("ETag")).isEqualTo("\"1\"");
        assertThat(created.json().at("/plan/quota_period").asText()).isEqualTo("day");

        var got = admin.get("/tenants/" + slug, admin.rootToken());
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.json().get("name").asText()).isEqualTo("Acme");

        var patched = admin.call("PATCH", "/tenants/" + slug, admin.rootToken(),
                json("status", "suspended", "plan", Map.of("burst", 300)), Map.of("If-Match", "\"1\""));
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.json().get("status").asText()).isEqualTo("suspended");
        assertThat(patched.json().at("/plan/burst").asInt()).isEqualTo(300);
        assertThat(patched.json().at("/plan/rate_per_second").asInt()).isEqualTo(50);
        assertThat(patched.header("ETag")).isEqualTo("\"2\"");

        assertThat(admin.delete("/tenants/" + slug, admin.rootToken()).status()).isEqualTo(204);
        assertThat(admin.get("/tenants/" + slug, admin.rootToken()).status()).isEqualTo(404);
    }

    @Test
    void jwtSettingsAreSetWithoutEverShowingTheSecret() throws Exception {
        String slug = admin.tenant();
        String secret = "hs256-secret-" + unique("x") + "-0123456789abcdef";
        var set = admin.patch("/tenants/" + slug, admin.rootToken(), json("jwt", Map.of("issuer",
                "https://login.example.com", "audience", "orders", "hs256_secret", secret)));
        assertThat(set.status()).isEqualTo(200);
        assertThat(set.json().at("/jwt/algorithm").asText()).isEqualTo("HS256");
        assertThat(set.json().at("/jwt/hs256_secret_set").asBoolean()).isTrue();
        assertThat(set.json().at("/jwt/clock_skew_seconds").asInt()).isEqualTo(60);
        assertThat(set.body()).doesNotContain(secret);
        assertThat(admin.get("/tenants/" + slug, admin.rootToken()).body()).doesNotContain(secret);

        // a change of issuer keeps the secret, which need not be sent again
        var renamed = admin.patch("/tenants/" + slug, admin.rootToken(), json("jwt", Map.of("issuer",
                "https://id.example.com")));
        assertThat(renamed.status()).isEqualTo(200);
        assertThat(renamed.json().at("/jwt/hs256_secret_set").asBoolean()).isTrue();
        assertThat(renamed.json().at("/jwt/audience").asText()).isEqualTo("orders");

        // replacing the secret shows in the audit trail, without either secret
        String rotated = "rotated-" + secret;
        assertThat(admin.patch("/tenants/" + slug, admin.rootToken(), json("jwt", Map.of("hs256_secret", rotated)))
                .status()).isEqualTo(200);
        String rotation = admin.db().dsl().select(org.jooq.impl.DSL.field("after_state::text", String.class))
                .from("audit_events").where("tenant_id = ?::uuid", set.json().get("id").asText())
                .orderBy(org.jooq.impl.DSL.field("id").desc()).limit(1).fetchOne(0, String.class);
        assertThat(rotation).contains("\"hs256_secret_changed\": true").doesNotContain(secret);

        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(generator.generateKeyPair().getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
        var rsa = admin.patch("/tenants/" + slug, admin.rootToken(), json("jwt", Map.of("rs256_public_key_pem", pem,
                "clock_skew_seconds", 5)));
        assertThat(rsa.status()).isEqualTo(200);
        assertThat(rsa.json().at("/jwt/algorithm").asText()).isEqualTo("RS256");
        assertThat(rsa.json().at("/jwt/hs256_secret_set").asBoolean()).isFalse();
        assertThat(rsa.json().at("/jwt/rs256_public_key_pem").asText()).isEqualTo(pem);

        String auditText = admin.db().dsl().select(org.jooq.impl.DSL.field("string_agg(audit_events::text, '\n')",
                String.class)).from("audit_events").fetchOne(0, String.class);
        assertThat(auditText).doesNotContain(secret).doesNotContain(rotated).contains("hs256_secret_set");

        var removed = admin.patch("/tenants/" + slug, admin.rootToken(), json("jwt", null));
        assertThat(removed.status()).isEqualTo(200);
        assertThat(removed.json().get("jwt").isNull()).isTrue();
    }

    @Test
    void badJwtSettingsNameTheirFieldsAndOnlyPlatformAdminsSetThem() {
        String slug = admin.tenant();
        var bad = admin.patch("/tenants/" + slug, admin.rootToken(), json("jwt", Map.of("issuer", "",
                "hs256_secret", "too-short", "rs256_public_key_pem", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
                "clock_skew_seconds", 3600, "alg", "none")));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("errors").findValuesAsText("field")).contains("jwt.issuer", "jwt.hs256_secret",
                "jwt.rs256_public_key_pem", "jwt.clock_skew_seconds", "jwt.alg");
        assertThat(bad.body()).doesNotContain("too-short");

        var noKey = admin.patch("/tenants/" + slug, admin.rootToken(), json("jwt", Map.of("issuer", "i",
                "audience", "a")));
        assertThat(noKey.status()).isEqualTo(400);
        assertThat(noKey.json().get("errors").findValuesAsText("field")).contains("jwt.hs256_secret");

        var byTenantAdmin = admin.patch("/tenants/" + slug, admin.userToken("tenant-admin", slug), json("jwt",
                Map.of("issuer", "i", "audience", "a", "hs256_secret", "s".repeat(40))));
        assertThat(byTenantAdmin.status()).isEqualTo(403);
    }

    @Test
    void duplicateSlugIsAConflict() {
        String slug = admin.tenant();
        var again = admin.post("/tenants", admin.rootToken(), json("slug", slug, "name", "Again"));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.problemType()).isEqualTo("conflict");
        assertThat(again.header("Content-Type")).isEqualTo("application/problem+json");
    }

    @Test
    void validationErrorsNameEveryBadField() {
        var r = admin.post("/tenants", admin.rootToken(), json("slug", "Not A Slug!", "plan",
                Map.of("rate_per_second", 0, "quota_period", "week"), "colour", "blue"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.problemType()).isEqualTo("validation-failed");
        assertThat(r.json().get("errors").findValuesAsText("field"))
                .contains("slug", "name", "plan.rate_per_second", "plan.quota_period", "colour");
        var control = admin.post("/tenants", admin.rootToken(), json("slug", unique("ctl"), "name", "two\nlines"));
        assertThat(control.status()).isEqualTo(400);
        assertThat(control.json().at("/errors/0/field").asText()).isEqualTo("name");
    }

    @Test
    void staleIfMatchIsRefusedAndChangesNothing() {
        String slug = admin.tenant();
        admin.patch("/tenants/" + slug, admin.rootToken(), json("name", "First"));
        var stale = admin.call("PATCH", "/tenants/" + slug, admin.rootToken(), json("name", "Second"),
                Map.of("If-Match", "\"1\""));
        assertThat(stale.status()).isEqualTo(412);
        assertThat(stale.problemType()).isEqualTo("precondition-failed");
        assertThat(admin.get("/tenants/" + slug, admin.rootToken()).json().get("name").asText()).isEqualTo("First");
        var staleDelete = admin.call("DELETE", "/tenants/" + slug, admin.rootToken(), null, Map.of("If-Match", "\"1\""));
        assertThat(staleDelete.status()).isEqualTo(412);
    }

    @Test
    void idempotencyKeyReplayReturnsTheFirstResponseWithoutASecondTenant() {
        String slug = unique("idem");
        var body = json("slug", slug, "name", "Idem");
        var first = admin.call("POST", "/tenants", admin.rootToken(), body, Map.of("Idempotency-Key", "k-" + slug));
        var replay = admin.call("POST", "/tenants", admin.rootToken(), body, Map.of("Idempotency-Key", "k-" + slug));
        assertThat(first.status()).isEqualTo(201);
        assertThat(replay.status()).isEqualTo(201);
        assertThat(replay.json()).isEqualTo(first.json());
        assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
        var other = admin.call("POST", "/tenants", admin.rootToken(), json("slug", slug + "x", "name", "Other"),
                Map.of("Idempotency-Key", "k-" + slug));
        assertThat(other.status()).isEqualTo(422);
        assertThat(admin.get("/tenants/" + slug + "x", admin.rootToken()).status()).isEqualTo(404);
    }

    @Test
    void listsPageWithACursor() {
        for (int i = 0; i < 3; i++) {
            admin.tenant();
        }
        JsonNode first = admin.get("/tenants?limit=2", admin.rootToken()).json();
        assertThat(first.get("items")).hasSize(2);
        String cursor = first.get("next_cursor").asText();
        JsonNode second = admin.get("/tenants?limit=2&cursor=" + cursor, admin.rootToken()).json();
        assertThat(second.get("items").get(0).get("id").asText())
                .isGreaterThan(first.get("items").get(1).get("id").asText());
        assertThat(admin.get("/tenants?limit=0", admin.rootToken()).status()).isEqualTo(400);
    }

    @Test
    void wrongContentTypeAndMalformedJsonAreClearErrors() {
        var r = admin.call("POST", "/tenants", admin.rootToken(), null, Map.of("Content-Type", "text/plain"));
        assertThat(r.status()).isEqualTo(415);
        var bad = admin.call("POST", "/tenants", admin.rootToken(), null, Map.of("Content-Type", "application/json"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.problemType()).isEqualTo("malformed-request");
    }
}
