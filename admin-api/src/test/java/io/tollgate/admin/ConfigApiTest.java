package io.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.admin.AdminFixture.Reply;
import io.tollgate.common.json.Json;
import io.tollgate.db.store.ConfigStateStore;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.tollgate.admin.AdminFixture.json;
import static io.tollgate.admin.AdminFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

/** The declarative workflow over HTTP: export, dry run, apply, prune, If-Match, RBAC and audit. */
class ConfigApiTest {
    private final AdminFixture admin = AdminFixture.get();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void exportApplyExportIsIdenticalAndChangesNothing() {
        String slug = admin.tenant();
        String root = admin.rootToken();
        JsonNode route = admin.serviceAndRoute(root, slug);
        admin.post("/tenants/" + slug + "/api-keys", root, json("name", "mobile",
                "allowed_routes", List.of(route.get("name").asText()), "rate_per_second", 5));

        Reply first = export(slug, root, "application/yaml");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header("Content-Type")).isEqualTo("application/yaml");
        assertThat(first.body()).contains("format: tollgate.config/v1", "service: " + route.path("name").asText()
                .replace("route", "svc").substring(0, 3)).doesNotContain("\"id\"", "created_at", "secret", "sha256");
        long version = version();
        int events = auditEvents(slug).size();

        Reply applied = send("POST", "/tenants/" + slug + "/config", root, "application/yaml", first.body(),
                Map.of("If-Match", first.header("ETag")));
        assertThat(applied.status()).as(applied.body()).isEqualTo(200);
        assertThat(applied.json().get("changed").asBoolean()).isFalse();
        assertThat(applied.json().get("changes")).isEmpty();
        assertThat(version()).as("an apply without changes bumps nothing").isEqualTo(version);
        assertThat(auditEvents(slug)).as("and audits nothing").hasSize(events);

        Reply second = export(slug, root, "application/yaml");
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(second.header("ETag")).isEqualTo(first.header("ETag"));
        assertThat(export(slug, root, "application/json").header("ETag"))
                .as("the ETag is of the content, whatever its spelling").isEqualTo(first.header("ETag"));
    }

    @Test
    void aDocumentRebuildsATenantAfterEverythingIsPruned() throws IOException {
        String slug = admin.tenant();
        String root = admin.rootToken();
        JsonNode route = admin.serviceAndRoute(root, slug);
        admin.post("/tenants/" + slug + "/api-keys", root, json("name", "mobile",
                "allowed_routes", List.of(route.get("name").asText())));
        ObjectNode original = (ObjectNode) export(slug, root, "application/json").json();

        Reply pruned = apply(slug, root, json("tenant", Map.of("slug", slug)), "prune=true");
        assertThat(pruned.status()).as(pruned.body()).isEqualTo(200);
        assertThat(pruned.json().at("/summary/delete").asInt()).isEqualTo(2);
        assertThat(pruned.json().at("/summary/revoke").asInt()).isEqualTo(1);
        assertThat(admin.get("/tenants/" + slug + "/routes", root).json().get("items")).isEmpty();

        // The same document without the key's public id declares the key by name: a new key is created.
        ObjectNode document = original.deepCopy();
        ((ObjectNode) document.get("api_keys").get(0)).remove("public_id");
        Reply rebuilt = apply(slug, root, document, "");
        assertThat(rebuilt.status()).as(rebuilt.body()).isEqualTo(200);
        assertThat(rebuilt.json().at("/summary/create").asInt()).isEqualTo(3);
        JsonNode created = rebuilt.json().at("/created_keys/0");
        assertThat(created.get("key").asText()).startsWith("tg_" + created.get("public_id").asText() + "_");

        ObjectNode again = (ObjectNode) export(slug, root, "application/json").json();
        ((ObjectNode) again.get("api_keys").get(0)).remove("public_id");
        assertThat(again).isEqualTo(document);
        assertThat(apply(slug, root, document, "").json().get("changed").asBoolean())
                .as("declaring the key by name finds it on the next apply").isFalse();
    }

    @Test
    void aKeyStillNamingADeletedRouteExportsOnlyTheRoutesThatExist() {
        String slug = admin.tenant();
        String root = admin.rootToken();
        JsonNode kept = admin.serviceAndRoute(root, slug);
        JsonNode gone = admin.serviceAndRoute(root, slug);
        admin.post("/tenants/" + slug + "/api-keys", root, json("name", "both", "allowed_routes",
                List.of(kept.get("name").asText(), gone.get("name").asText())));
        assertThat(admin.delete("/tenants/" + slug + "/routes/" + gone.get("id").asText(), root).status())
                .isEqualTo(204);

        Reply exported = export(slug, root, "application/json");
        assertThat(exported.json().at("/api_keys/0/allowed_routes")).hasSize(1);
        assertThat(exported.json().at("/api_keys/0/allowed_routes/0").asText()).isEqualTo(kept.get("name").asText());
        Reply applied = apply(slug, root, exported.json(), "");
        assertThat(applied.status()).as(applied.body()).isEqualTo(200);
        assertThat(applied.json().get("changed").asBoolean()).isFalse();
    }

    @Test
    void aDryRunPlansWithoutWritingAnything() {
        String slug = admin.tenant();
        String root = admin.rootToken();
        String p = "/" + unique("dry");
        ObjectNode doc = document(slug, "orders", p);
        long version = version();
        int events = auditEvents(slug).size();

        Reply plan = apply(slug, root, doc, "dry_run=true");
        assertThat(plan.status()).as(plan.body()).isEqualTo(200);
        assertThat(plan.json().get("dry_run").asBoolean()).isTrue();
        assertThat(plan.json().get("changed").asBoolean()).isTrue();
        assertThat(plan.json().get("changes").findValuesAsText("kind")).containsExactly("service", "route", "api_key");
        assertThat(plan.json().get("changes").findValuesAsText("action")).containsOnly("create");
        assertThat(plan.json().get("created_keys")).as("a dry run creates no key, so shows no secret").isEmpty();
        assertThat(plan.body()).doesNotContain("tg_");

        assertThat(admin.get("/tenants/" + slug + "/services", root).json().get("items")).isEmpty();
        assertThat(admin.get("/tenants/" + slug + "/routes", root).json().get("items")).isEmpty();
        assertThat(admin.get("/tenants/" + slug + "/api-keys", root).json().get("items")).isEmpty();
        assertThat(version()).isEqualTo(version);
        assertThat(auditEvents(slug)).hasSize(events);
    }

    @Test
    void anApplyIsOneTransactionWithOneVersionBumpAndAnAuditEventPerObject() {
        String slug = admin.tenant();
        String p = "/" + unique("one");
        // An operator token of the tenant applies: every event names it.
        JsonNode token = admin.post("/tokens", admin.rootToken(), json("name", unique("ci"), "role", "tenant-admin",
                "tenant", slug)).json();
        String ci = token.get("token").asText();
        long version = version();

        Reply applied = send("POST", "/tenants/" + slug + "/config", ci, "application/json",
                document(slug, "orders", p).toString(), Map.of("X-Request-Id", "apply-" + unique("r")));
        assertThat(applied.status()).as(applied.body()).isEqualTo(200);
        assertThat(version()).as("one version bump for the whole document").isEqualTo(version + 1);
        List<JsonNode> events = auditEvents(slug).stream()
                .filter(e -> e.get("request_id").asText().startsWith("apply-")).toList();
        assertThat(events).extracting(e -> e.get("action").asText())
                .containsExactly("service.create", "route.create", "api-key.create", "config.apply");
        assertThat(events).allSatisfy(e -> {
            assertThat(e.get("actor_type").asText()).isEqualTo("token");
            assertThat(e.get("actor_id").asText()).isEqualTo(token.get("id").asText());
        });
        String secret = applied.json().at("/created_keys/0/key").asText();
        assertThat(secret).startsWith("tg_");
        assertThat(auditEvents(slug).toString()).doesNotContain(secret);
        assertThat(export(slug, ci, "application/yaml").body()).doesNotContain(secret);

        // An update shows the field-level diff.
        ObjectNode changed = document(slug, "orders", p);
        ((ObjectNode) changed.get("services").get(0)).put("retries", 3);
        Reply update = send("POST", "/tenants/" + slug + "/config?dry_run=true", ci, "application/json",
                changed.toString(), Map.of());
        assertThat(update.json().get("changes")).hasSize(1);
        JsonNode change = update.json().at("/changes/0");
        assertThat(change.get("action").asText()).isEqualTo("update");
        assertThat(change.get("fields")).hasSize(1);
        assertThat(change.at("/fields/0/field").asText()).isEqualTo("retries");
        assertThat(change.at("/fields/0/from").asInt()).isEqualTo(1);
        assertThat(change.at("/fields/0/to").asInt()).isEqualTo(3);
    }

    @Test
    void anInvalidObjectInTheMiddleRollsBackEverythingAndNamesItsPath() {
        String slug = admin.tenant();
        String root = admin.rootToken();
        String p = "/" + unique("mid");
        ObjectNode doc = document(slug, "orders", p);
        ArrayNode routes = (ArrayNode) doc.get("routes");
        routes.add(json("name", "broken", "service", "orders", "paths", List.of("no-slash"), "methods", List.of("FETCH")));
        routes.add(json("name", "fine", "service", "orders", "paths", List.of(p + "-fine")));
        long version = version();
        int events = auditEvents(slug).size();

        Reply r = apply(slug, root, doc, "");
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.problemType()).isEqualTo("validation-failed");
        assertThat(r.json().get("errors").findValuesAsText("field"))
                .contains("/routes/1/paths/0", "/routes/1/methods/0").allMatch(f -> f.startsWith("/routes/1/"));
        assertThat(admin.get("/tenants/" + slug + "/services", root).json().get("items")).isEmpty();
        assertThat(admin.get("/tenants/" + slug + "/routes", root).json().get("items")).isEmpty();
        assertThat(admin.get("/tenants/" + slug + "/api-keys", root).json().get("items")).isEmpty();
        assertThat(version()).isEqualTo(version);
        assertThat(auditEvents(slug)).hasSize(events);

        // A conflict with another tenant's route is a 409 that points at the route, and rolls back too.
        String other = admin.tenant();
        admin.serviceAndRoute(root, other);
        String taken = admin.get("/tenants/" + other + "/routes", root).json().at("/items/0/paths/0").asText();
        ObjectNode clash = document(slug, "orders", p);
        ((ArrayNode) clash.get("routes")).add(json("name", "clash", "service", "orders", "paths", List.of(taken)));
        Reply conflict = apply(slug, root, clash, "");
        assertThat(conflict.status()).as(conflict.body()).isEqualTo(409);
        assertThat(conflict.json().get("errors").findValuesAsText("field")).containsExactly("/routes/1");
        assertThat(conflict.body()).doesNotContain(other);
        assertThat(admin.get("/tenants/" + slug + "/services", root).json().get("items")).isEmpty();
    }

    @Test
    void aStaleETagIsRefusedWith412() {
        String slug = admin.tenant();
        String root = admin.rootToken();
        JsonNode route = admin.serviceAndRoute(root, slug);
        Reply exported = export(slug, root, "application/json");
        admin.patch("/tenants/" + slug + "/routes/" + route.get("id").asText(), root, json("strip_prefix", true));
        long version = version();

        ObjectNode doc = (ObjectNode) exported.json();
        ((ObjectNode) doc.get("services").get(0)).put("retries", 4);
        Reply stale = send("POST", "/tenants/" + slug + "/config", root, "application/json", doc.toString(),
                Map.of("If-Match", exported.header("ETag")));
        assertThat(stale.status()).as(stale.body()).isEqualTo(412);
        assertThat(stale.problemType()).isEqualTo("precondition-failed");
        assertThat(version()).isEqualTo(version);

        String fresh = export(slug, root, "application/json").header("ETag");
        Reply ok = send("POST", "/tenants/" + slug + "/config", root, "application/json", doc.toString(),
                Map.of("If-Match", fresh));
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.header("ETag")).isEqualTo(export(slug, root, "application/json").header("ETag"));
    }

    @Test
    void ofTwoConcurrentAppliesWithTheSameETagExactlyOneWins() throws Exception {
        String slug = admin.tenant();
        String root = admin.rootToken();
        admin.serviceAndRoute(root, slug);
        Reply exported = export(slug, root, "application/json");
        List<java.util.concurrent.Callable<Reply>> applies = new ArrayList<>();
        for (int retries : new int[]{2, 3}) {
            ObjectNode doc = (ObjectNode) exported.json().deepCopy();
            ((ObjectNode) doc.get("services").get(0)).put("retries", retries);
            applies.add(() -> send("POST", "/tenants/" + slug + "/config", root, "application/json", doc.toString(),
                    Map.of("If-Match", exported.header("ETag"))));
        }
        List<Integer> statuses = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            for (var done : pool.invokeAll(applies)) {
                statuses.add(done.get().status());
            }
        }
        assertThat(statuses).containsExactlyInAnyOrder(200, 412);
        int winner = statuses.get(0) == 200 ? 2 : 3;
        assertThat(export(slug, root, "application/json").json().at("/services/0/retries").asInt()).isEqualTo(winner);
    }

    @Test
    void onlyPruneDeletesWhatTheDocumentLeavesOut() {
        String slug = admin.tenant();
        String root = admin.rootToken();
        String p = "/" + unique("prune");
        assertThat(apply(slug, root, document(slug, "orders", p), "").status()).isEqualTo(200);
        ObjectNode extra = document(slug, "billing", p + "-billing");
        ((ObjectNode) extra.get("api_keys").get(0)).put("name", "billing-key");
        assertThat(apply(slug, root, extra, "").status()).isEqualTo(200);

        ObjectNode smaller = document(slug, "orders", p);
        Reply kept = apply(slug, root, smaller, "");
        assertThat(kept.json().get("changed").asBoolean()).as(kept.body()).isFalse();
        assertThat(admin.get("/tenants/" + slug + "/routes", root).json().get("items")).hasSize(2);

        Reply plan = apply(slug, root, smaller, "prune=true&dry_run=true");
        assertThat(plan.json().get("changes").findValuesAsText("name"))
                .containsExactly("billing", "billing", "billing-key");
        assertThat(plan.json().get("changes").findValuesAsText("action")).containsExactly("delete", "delete", "revoke");
        assertThat(admin.get("/tenants/" + slug + "/routes", root).json().get("items")).hasSize(2);

        Reply pruned = apply(slug, root, smaller, "prune=true");
        assertThat(pruned.status()).as(pruned.body()).isEqualTo(200);
        assertThat(admin.get("/tenants/" + slug + "/routes", root).json().get("items").findValuesAsText("name"))
                .containsExactly("orders");
        assertThat(admin.get("/tenants/" + slug + "/services", root).json().get("items").findValuesAsText("name"))
                .containsExactly("orders");
        JsonNode keys = admin.get("/tenants/" + slug + "/api-keys", root).json().get("items");
        assertThat(keys).hasSize(2);
        assertThat(keys.findValuesAsText("status")).containsExactlyInAnyOrder("active", "revoked");
        assertThat(export(slug, root, "application/json").json().get("api_keys").findValuesAsText("name"))
                .containsExactly("api");
    }

    @Test
    void aTenantAdminExportsAndAppliesOnlyItsOwnTenant() {
        String mine = admin.tenant();
        String theirs = admin.tenant();
        String token = admin.userToken("tenant-admin", mine);
        String p = "/" + unique("own");

        assertThat(export(mine, token, "application/json").status()).isEqualTo(200);
        assertThat(export(theirs, token, "application/json").status()).isEqualTo(403);
        assertThat(export("no-such-" + unique("t"), token, "application/json").status()).isEqualTo(403);
        assertThat(admin.get("/config", token).status()).isEqualTo(403);
        Reply foreign = apply(theirs, token, document(theirs, "orders", p), "dry_run=true");
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.body()).doesNotContain(theirs);

        Reply own = apply(mine, token, document(mine, "orders", p), "");
        assertThat(own.status()).as(own.body()).isEqualTo(200);
        ObjectNode planChange = document(mine, "orders", p);
        planChange.set("tenant", json("slug", mine, "plan", Map.of("rate_per_second", 100000)));
        Reply plan = apply(mine, token, planChange, "");
        assertThat(plan.status()).as("the plan is the platform's to change").isEqualTo(403);
        assertThat(plan.json().get("errors").findValuesAsText("field")).containsExactly("/tenant");

        Reply everything = admin.get("/config", admin.rootToken());
        assertThat(everything.status()).isEqualTo(200);
        assertThat(everything.json().get("tenants").findValuesAsText("slug")).contains(mine, theirs);
    }

    @Test
    void documentMistakesAreNamedByPath() {
        String slug = admin.tenant();
        String root = admin.rootToken();
        ObjectNode doc = json("format", "tollgate.config/v9", "tenant", Map.of("slug", "another", "jwt", Map.of()),
                "services", List.of(Map.of("name", "a", "targets", List.of(Map.of("url", "ftp://x"))),
                        Map.of("name", "a", "targets", List.of())), "routes", Map.of(), "typo", 1);
        Reply r = apply(slug, root, doc, "");
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().get("errors").findValuesAsText("field")).contains("/typo", "/format",
                "/tenant/jwt", "/tenant/slug", "/services/1/name", "/services/0/targets/0/url", "/routes");

        Reply yaml = send("POST", "/tenants/" + slug + "/config", root, "application/yaml", "services: [a: b: c", Map.of());
        assertThat(yaml.status()).isEqualTo(400);
        assertThat(yaml.problemType()).isEqualTo("malformed-request");
        Reply flag = apply(slug, root, doc, "dry_run=maybe");
        assertThat(flag.status()).isEqualTo(400);
        assertThat(flag.json().get("errors").findValuesAsText("field")).containsExactly("dry_run");
    }

    @Test
    void servesTheDocumentsJsonSchemaWithoutAToken() {
        Reply r = send("GET", "/config.schema.json", null, null, null, Map.of());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).isEqualTo("application/schema+json");
        JsonNode schema = r.json();
        assertThat(schema.get("$ref").asText()).isEqualTo("#/$defs/ConfigDocument");
        assertThat(schema.get("$defs").has("ConfigRoute")).isTrue();
        assertThat(schema.get("$defs").has("RouteFields")).isTrue();
        assertThat(r.body()).doesNotContain("#/components/");
        // Every field an export writes is declared by the schema.
        String slug = admin.tenant();
        admin.serviceAndRoute(admin.rootToken(), slug);
        JsonNode route = export(slug, admin.rootToken(), "application/json").json().at("/routes/0");
        JsonNode declared = schema.at("/$defs/RouteFields/properties");
        route.fieldNames().forEachRemaining(f -> assertThat(declared.has(f)).as("route field %s", f).isTrue());
    }

    // ------------------------------------------------------------------------------------------------------------

    /** A document with one service, one route on path {@code path} and one key named "api". */
    static ObjectNode document(String slug, String name, String path) {
        ObjectNode doc = json("format", "tollgate.config/v1", "tenant", Map.of("slug", slug));
        doc.set("services", Json.mapper().valueToTree(List.of(Map.of("name", name, "language", "go", "retries", 1,
                "targets", List.of(Map.of("url", "http://127.0.0.1:9", "weight", 1))))));
        doc.set("routes", Json.mapper().valueToTree(List.of(Map.of("name", name, "service", name,
                "paths", List.of(path), "methods", List.of("GET"), "strip_prefix", true))));
        doc.set("api_keys", Json.mapper().valueToTree(List.of(Map.of("name", "api", "allowed_routes", List.of(name)))));
        return doc;
    }

    private Reply export(String slug, String token, String accept) {
        return send("GET", "/tenants/" + slug + "/config", token, null, null, Map.of("Accept", accept));
    }

    private Reply apply(String slug, String token, JsonNode doc, String query) {
        return send("POST", "/tenants/" + slug + "/config" + (query.isEmpty() ? "" : "?" + query), token,
                "application/json", doc.toString(), Map.of());
    }

    private long version() {
        return new ConfigStateStore(admin.db().dsl()).version();
    }

    private List<JsonNode> auditEvents(String slug) {
        List<JsonNode> out = new ArrayList<>();
        String cursor = "";
        do {
            Reply r = admin.get("/audit-events?tenant=" + slug + "&limit=200" + (cursor.isEmpty() ? "" : "&cursor="
                    + cursor), admin.rootToken());
            r.json().get("items").forEach(out::add);
            cursor = r.json().path("next_cursor").asText("");
        } while (!cursor.isEmpty());
        return out;
    }

    private Reply send(String method, String path, String token, String contentType, String body,
                       Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(admin.base() + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        new HashMap<>(headers).forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(res.statusCode(), res.body(), res.headers().map());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
