package io.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.admin.audit.AuditFileVerifier;
import io.tollgate.admin.audit.AuditFormats;
import io.tollgate.common.json.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.tollgate.admin.AdminFixture.json;
import static io.tollgate.admin.AdminFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

/** Export, verification and tenant scoping of the audit trail over HTTP, on the shared (untampered) chain. */
class AuditExportTest {
    private final AdminFixture admin = AdminFixture.get();

    @Test
    void concurrentWritersKeepOneLinearChain() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            results.add(pool.submit(() -> admin.post("/tenants", admin.rootToken(),
                    json("slug", unique("c"), "name", "Concurrent")).status()));
        }
        for (Future<Integer> f : results) {
            assertThat(f.get()).isEqualTo(201);
        }
        pool.shutdown();
        JsonNode verify = admin.get("/audit-events/verify", admin.rootToken()).json();
        assertThat(verify.get("ok").asBoolean()).as(verify.toString()).isTrue();
        assertThat(verify.get("checked").asLong()).isGreaterThanOrEqualTo(40);
        assertThat(verify.get("anchor").asText()).isEqualTo("0".repeat(64));
    }

    @Test
    void exportedNdjsonVerifiesOfflineAndAnEditedCopyDoesNot() throws IOException {
        admin.tenant();
        String ndjson = admin.get("/audit-events/export?format=ndjson", admin.rootToken()).body();
        List<String> lines = new ArrayList<>(Arrays.asList(ndjson.split("\n")));
        assertThat(lines.size()).isGreaterThan(3);
        assertThat(AuditFileVerifier.verify(new StringReader(ndjson), true).ok()).isTrue();

        List<String> edited = new ArrayList<>(lines);
        var event = (com.fasterxml.jackson.databind.node.ObjectNode) Json.mapper().readTree(edited.get(2));
        event.put("actor_name", "someone-else@tollgate.test");
        edited.set(2, event.toString());
        var outcome = AuditFileVerifier.verify(new StringReader(String.join("\n", edited)), true);
        assertThat(outcome.ok()).isFalse();
        assertThat(outcome.breakLine()).isEqualTo(3);
        assertThat(outcome.problem().orElseThrow()).contains("altered");

        List<String> dropped = new ArrayList<>(lines);
        dropped.remove(1);
        var gap = AuditFileVerifier.verify(new StringReader(String.join("\n", dropped)), true);
        assertThat(gap.ok()).isFalse();
        assertThat(gap.breakLine()).isEqualTo(2);
        assertThat(gap.problem().orElseThrow()).contains("removed");
    }

    @Test
    void aTenantAuditorNeverSeesAnotherTenantsEvents() throws IOException {
        String a = admin.tenant();
        String b = admin.tenant();
        admin.serviceAndRoute(admin.rootToken(), a);
        admin.serviceAndRoute(admin.rootToken(), b);
        String auditorA = admin.userToken("auditor", a);
        String tenantA = admin.get("/tenants/" + a, admin.rootToken()).json().get("id").asText();

        JsonNode listed = admin.get("/audit-events?limit=200", auditorA).json();
        assertThat(listed.get("items").findValuesAsText("tenant_id")).isNotEmpty().containsOnly(tenantA);
        assertThat(admin.get("/audit-events?tenant=" + b, auditorA).status()).isEqualTo(403);
        assertThat(admin.get("/audit-events/export?tenant=" + b, auditorA).status()).isEqualTo(403);
        assertThat(admin.get("/audit-events/verify", auditorA).status()).isEqualTo(403);

        String export = admin.get("/audit-events/export?format=ndjson", auditorA).body();
        for (String line : export.split("\n")) {
            assertThat(Json.mapper().readTree(line).get("tenant_id").asText()).isEqualTo(tenantA);
        }
        assertThat(AuditFileVerifier.verify(new StringReader(export), false).ok()).isTrue();
        assertThat(admin.get("/audit-events?action=audit.export&limit=200", admin.rootToken()).json()
                .get("items").findValuesAsText("actor_name")).isNotEmpty();
    }

    @Test
    void csvExportEscapesAndDefusesFormulas() {
        String email = "=1+2" + unique("x") + "@evil.test";
        String slug = admin.tenant();
        admin.patch("/tenants/" + slug, admin.rootToken(), json("name", "Quote \" comma , and more"));
        admin.post("/users", admin.rootToken(), json("email", email, "password", "long-password-xyz"));
        admin.signIn(email, "long-password-xyz");
        var reply = admin.get("/audit-events/export?format=csv&action=auth.sign-in", admin.rootToken());
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Content-Type")).startsWith("text/csv");
        assertThat(reply.body()).startsWith(String.join(",", AuditFormats.CSV_COLUMNS) + "\r\n");
        assertThat(reply.body()).contains(",'" + email.toLowerCase() + ",");
        assertThat(reply.body()).doesNotContain("," + email.toLowerCase());

        String updates = admin.get("/audit-events/export?format=csv&action=tenant.update", admin.rootToken()).body();
        // The after-state cell is JSON (quote escaped as \", newline as \n) inside an RFC 4180 quoted cell.
        assertThat(updates).contains(",\"{\"\"id\"\":").contains("Quote \\\"\" comma , and more");

        assertThat(AuditFormats.csvCell("plain")).isEqualTo("plain");
        assertThat(AuditFormats.csvCell("a,b")).isEqualTo("\"a,b\"");
        assertThat(AuditFormats.csvCell("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(AuditFormats.csvCell("line\nbreak")).isEqualTo("\"line\nbreak\"");
        assertThat(AuditFormats.csvCell("=SUM(A1)")).isEqualTo("'=SUM(A1)");
        assertThat(AuditFormats.csvCell("+1")).isEqualTo("'+1");
        assertThat(AuditFormats.csvCell("-1,2")).isEqualTo("\"'-1,2\"");
        assertThat(AuditFormats.csvCell("@cmd")).isEqualTo("'@cmd");
        assertThat(AuditFormats.csvCell(null)).isEmpty();
    }

    @Test
    void badExportParametersAreClearErrors() {
        assertThat(admin.get("/audit-events/export?format=xml", admin.rootToken()).problemType())
                .isEqualTo("validation-failed");
        var r = admin.get("/audit-events?from=yesterday", admin.rootToken());
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().at("/errors/0/field").asText()).isEqualTo("from");
        assertThat(admin.get("/audit-events?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z",
                admin.rootToken()).status()).isEqualTo(400);
        assertThat(admin.call("GET", "/audit-events/export", null, null, Map.of()).status()).isEqualTo(401);
    }
}
