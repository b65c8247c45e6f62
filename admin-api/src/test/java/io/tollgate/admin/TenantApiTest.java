package io.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

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
