package io.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.tollgate.admin.AdminFixture.json;
import static io.tollgate.admin.AdminFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

/** Services, routes and API keys over HTTP, as a tenant admin scripts them. */
class TenantResourcesApiTest {
    private final AdminFixture admin = AdminFixture.get();

    @Test
    void routeFlagsAreValidatedAndShown() {
        String slug = admin.tenant();
        String token = admin.userToken("tenant-admin", slug);
        assertThat(admin.post("/tenants/" + slug + "/services", token, json("name", "flags", "language", "go",
                "targets", new Object[]{Map.of("url", "http://10.0.0.1:8080")})).status()).isEqualTo(201);
        String path = "/" + unique("flags");

        var bad = admin.post("/tenants/" + slug + "/routes", token, json("name", "flags", "service", "flags",
                "paths", new String[]{path}, "pass_credential", "yes", "internal_headers", new String[]{"X Debug"}));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("pass_credential").contains("internal_headers");

        var route = admin.post("/tenants/" + slug + "/routes", token, json("name", "flags", "service", "flags",
                "paths", new String[]{path}));
        assertThat(route.status()).isEqualTo(201);
        assertThat(route.json().get("pass_credential").asBoolean()).isFalse();
        assertThat(route.json().get("internal_headers").toString()).isEqualTo("[]");

        var changed = admin.patch("/tenants/" + slug + "/routes/flags", token, json("pass_credential", true,
                "internal_headers", new String[]{"X-Debug-Trace", "x-debug-trace", "X-Node"}));
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.json().get("pass_credential").asBoolean()).isTrue();
        assertThat(changed.json().get("internal_headers").toString()).isEqualTo("[\"x-debug-trace\",\"x-node\"]");
    }

    @Test
    void tenantAdminScriptsServiceRouteAndKey() {
        String slug = admin.tenant();
        String token = admin.userToken("tenant-admin", slug);
        var svc = admin.post("/tenants/" + slug + "/services", token, json("name", "orders", "language", "go",
                "protocol", "http1", "targets", new Object[]{Map.of("url", "http://10.0.0.1:8080", "weight", 3),
                        Map.of("url", "http://10.0.0.2:8080")}, "connect_timeout_ms", 500, "read_timeout_ms", 5000,
                "retries", 1));
        assertThat(svc.status()).isEqualTo(201);
        assertThat(svc.json().get("targets").get(1).get("weight").asInt()).isEqualTo(1);

        String path = "/" + unique("orders");
        var route = admin.post("/tenants/" + slug + "/routes", token, json("name", "orders-api", "service", "orders",
                "hosts", new String[]{"API.example.com"}, "paths", new String[]{path}, "methods", new String[]{"get", "POST"},
                "strip_prefix", true, "auth", "api-key"));
        assertThat(route.status()).isEqualTo(201);
        assertThat(route.json().get("service_id").asText()).isEqualTo(svc.json().get("id").asText());
        assertThat(route.json().get("hosts").get(0).asText()).isEqualTo("api.example.com");
        assertThat(route.json().get("methods").toString()).isEqualTo("[\"GET\",\"POST\"]");

        var key = admin.post("/tenants/" + slug + "/api-keys", token, json("name", "mobile",
                "allowed_routes", new String[]{"orders-api"}));
        assertThat(key.status()).isEqualTo(201);
        String full = key.json().get("key").asText();
        assertThat(full).startsWith("tg_" + key.json().get("public_id").asText() + "_");
        assertThat(key.json().get("allowed_routes").get(0).asText()).isEqualTo(route.json().get("id").asText());

        String keyPath = "/tenants/" + slug + "/api-keys/" + key.json().get("id").asText();
        var fetched = admin.get(keyPath, token);
        assertThat(fetched.body()).doesNotContain(full.substring(full.lastIndexOf('_') + 1));
        assertThat(fetched.json().has("key")).isFalse();
        assertThat(admin.get("/tenants/" + slug + "/api-keys", token).body())
                .doesNotContain(full.substring(full.lastIndexOf('_') + 1));

        assertThat(admin.delete(keyPath, token).status()).isEqualTo(204);
        assertThat(admin.get(keyPath, token).json().get("status").asText()).isEqualTo("revoked");
        assertThat(admin.delete(keyPath, token).status()).isEqualTo(409);

        var svcPath = "/tenants/" + slug + "/services/orders";
        assertThat(admin.delete(svcPath, token).status()).as("service with routes").isEqualTo(409);
        assertThat(admin.delete("/tenants/" + slug + "/routes/orders-api", token).status()).isEqualTo(204);
        assertThat(admin.delete(svcPath, token).status()).isEqualTo(204);
    }

    @Test
    void serviceValidationNamesTheField() {
        String slug = admin.tenant();
        var r = admin.post("/tenants/" + slug + "/services", admin.rootToken(), json("name", "x", "language", "java",
                "targets", new Object[]{Map.of("url", "ftp://nope", "weight", -1)}, "read_timeout_ms", "slow"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("errors").findValuesAsText("field"))
                .contains("language", "targets[0].url", "targets[0].weight", "read_timeout_ms");
    }

    @Test
    void aTargetHostEndingInADotIsRefusedNamingTheFieldAndTheNameToWriteInstead() {
        String slug = admin.tenant();
        String token = admin.userToken("tenant-admin", slug);
        var dotted = admin.post("/tenants/" + slug + "/services", token, json("name", "dotted",
                "targets", new Object[]{Map.of("url", "http://10.0.0.1:8080"),
                        Map.of("url", "https://orders.internal.:8443/v1")}));
        assertThat(dotted.status()).isEqualTo(400);
        assertThat(dotted.json().at("/errors/0/field").asText()).isEqualTo("targets[1].url");
        assertThat(dotted.json().at("/errors/0/message").asText())
                .contains("must not end with '.'", "orders.internal)");
        assertThat(admin.get("/tenants/" + slug + "/services/dotted", token).status()).isEqualTo(404);
    }

    @Test
    void httpsTargetsAreAcceptedForEveryProtocolButH2c() {
        String slug = admin.tenant();
        String token = admin.userToken("tenant-admin", slug);
        for (String protocol : new String[]{"http1", "h2", "grpc"}) {
            var created = admin.post("/tenants/" + slug + "/services", token, json("name", "tls-" + protocol,
                    "protocol", protocol, "targets", new Object[]{Map.of("url", "https://orders.internal:8443/v1"),
                            Map.of("url", "https://10.0.0.2")}));
            assertThat(created.status()).as(protocol).isEqualTo(201);
            assertThat(created.json().get("protocol").asText()).isEqualTo(protocol);
        }
        var h2c = admin.post("/tenants/" + slug + "/services", token, json("name", "tls-h2c", "protocol", "h2c",
                "targets", new Object[]{Map.of("url", "https://orders.internal:8443")}));
        assertThat(h2c.status()).isEqualTo(400);
        assertThat(h2c.json().at("/errors/0/field").asText()).isEqualTo("protocol");
        assertThat(h2c.json().at("/errors/0/message").asText()).contains("needs http targets");
    }

    @Test
    void h2NeedsHttpsTargetsAndOneServiceDoesNotMixSchemes() {
        String slug = admin.tenant();
        String token = admin.userToken("tenant-admin", slug);
        var plainH2 = admin.post("/tenants/" + slug + "/services", token, json("name", "plain-h2", "protocol", "h2",
                "targets", new Object[]{Map.of("url", "http://10.0.0.1:8080")}));
        assertThat(plainH2.status()).isEqualTo(400);
        assertThat(plainH2.json().at("/errors/0/field").asText()).isEqualTo("protocol");
        assertThat(plainH2.json().at("/errors/0/message").asText()).contains("needs https targets");

        var mixed = admin.post("/tenants/" + slug + "/services", token, json("name", "mixed", "protocol", "grpc",
                "targets", new Object[]{Map.of("url", "http://10.0.0.1:8080"), Map.of("url", "https://10.0.0.2")}));
        assertThat(mixed.status()).isEqualTo(400);
        assertThat(mixed.json().at("/errors/0/field").asText()).isEqualTo("targets");

        // a change of protocol alone is checked against the targets the service already has
        assertThat(admin.post("/tenants/" + slug + "/services", token, json("name", "orders",
                "targets", new Object[]{Map.of("url", "http://10.0.0.1:8080")})).status()).isEqualTo(201);
        var toH2 = admin.patch("/tenants/" + slug + "/services/orders", token, json("protocol", "h2"));
        assertThat(toH2.status()).isEqualTo(400);
        assertThat(toH2.json().at("/errors/0/field").asText()).isEqualTo("protocol");
        // and a change of targets alone against the protocol it has
        assertThat(admin.patch("/tenants/" + slug + "/services/orders", token, json("protocol", "h2c")).status())
                .isEqualTo(200);
        var toHttps = admin.patch("/tenants/" + slug + "/services/orders", token, json(
                "targets", new Object[]{Map.of("url", "https://10.0.0.1:8443")}));
        assertThat(toHttps.status()).isEqualTo(400);
        assertThat(toHttps.json().at("/errors/0/field").asText()).isEqualTo("targets");
        assertThat(admin.get("/tenants/" + slug + "/services/orders", token).json().get("protocol").asText())
                .isEqualTo("h2c");
    }

    @Test
    void serviceResilienceSettingsHaveDefaultsAndChangeWithTheWeights() {
        String slug = admin.tenant();
        String token = admin.userToken("tenant-admin", slug);
        var created = admin.post("/tenants/" + slug + "/services", token, json("name", "inventory",
                "targets", new Object[]{Map.of("url", "http://10.0.0.1:8080", "weight", 9),
                        Map.of("url", "http://10.0.0.2:8080", "weight", 1)}));
        assertThat(created.status()).isEqualTo(201);
        JsonNode defaults = created.json();
        assertThat(defaults.get("lb_policy").asText()).isEqualTo("round-robin");
        assertThat(defaults.get("hash_header").isNull()).isTrue();
        assertThat(defaults.get("outlier_consecutive_failures").asInt()).isEqualTo(5);
        assertThat(defaults.get("breaker_half_open_requests").asInt()).isEqualTo(1);
        assertThat(defaults.get("health_check_path").isNull()).isTrue();

        // a canary shift and the resilience settings in one change
        var changed = admin.patch("/tenants/" + slug + "/services/inventory", token, json(
                "targets", new Object[]{Map.of("url", "http://10.0.0.1:8080", "weight", 5),
                        Map.of("url", "http://10.0.0.2:8080", "weight", 5)},
                "lb_policy", "consistent-hash", "hash_header", "X-User-Id", "outlier_consecutive_failures", 3,
                "outlier_base_ejection_ms", 5000, "breaker_consecutive_failures", 0, "breaker_open_ms", 2000,
                "breaker_half_open_requests", 2, "health_check_path", "/healthz", "health_check_interval_ms", 1000,
                "health_check_timeout_ms", 500, "health_check_healthy_threshold", 1,
                "health_check_unhealthy_threshold", 2));
        assertThat(changed.status()).isEqualTo(200);
        JsonNode read = admin.get("/tenants/" + slug + "/services/inventory", token).json();
        assertThat(read.get("targets").get(0).get("weight").asInt()).isEqualTo(5);
        assertThat(read.get("lb_policy").asText()).isEqualTo("consistent-hash");
        assertThat(read.get("hash_header").asText()).isEqualTo("X-User-Id");
        assertThat(read.get("breaker_consecutive_failures").asInt()).isZero();
        assertThat(read.get("health_check_path").asText()).isEqualTo("/healthz");
        assertThat(read.get("health_check_unhealthy_threshold").asInt()).isEqualTo(2);

        var cleared = admin.patch("/tenants/" + slug + "/services/inventory", token, json("hash_header", null,
                "health_check_path", null));
        assertThat(cleared.json().get("hash_header").isNull()).isTrue();
        assertThat(cleared.json().get("health_check_path").isNull()).isTrue();
        assertThat(cleared.json().get("lb_policy").asText()).isEqualTo("consistent-hash");
    }

    @Test
    void serviceResilienceValidationNamesTheField() {
        String slug = admin.tenant();
        var r = admin.post("/tenants/" + slug + "/services", admin.rootToken(), json("name", "x",
                "targets", new Object[]{Map.of("url", "http://10.0.0.1")}, "lb_policy", "random",
                "hash_header", "bad header", "outlier_consecutive_failures", -1, "breaker_half_open_requests", 0,
                "health_check_path", "healthz", "health_check_interval_ms", 1000, "health_check_timeout_ms", 5000));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("errors").findValuesAsText("field")).contains("lb_policy", "hash_header",
                "outlier_consecutive_failures", "breaker_half_open_requests", "health_check_path");
        var slow = admin.post("/tenants/" + slug + "/services", admin.rootToken(), json("name", "y",
                "targets", new Object[]{Map.of("url", "http://10.0.0.1")}, "health_check_interval_ms", 1000,
                "health_check_timeout_ms", 5000));
        assertThat(slow.status()).isEqualTo(400);
        assertThat(slow.json().get("errors").findValuesAsText("field")).containsExactly("health_check_timeout_ms");
    }

    @Test
    void routeDeadlineIsSetClearedAndValidated() {
        String slug = admin.tenant();
        String token = admin.userToken("tenant-admin", slug);
        JsonNode route = admin.serviceAndRoute(token, slug);
        String path = "/tenants/" + slug + "/routes/" + route.get("id").asText();
        assertThat(route.get("deadline_ms").isNull()).isTrue();

        assertThat(admin.patch(path, token, json("deadline_ms", 2500)).json().get("deadline_ms").asInt())
                .isEqualTo(2500);
        assertThat(admin.get(path, token).json().get("deadline_ms").asInt()).isEqualTo(2500);
        var refused = admin.patch(path, token, json("deadline_ms", 0));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("errors").findValuesAsText("field")).containsExactly("deadline_ms");
        assertThat(admin.patch(path, token, json("deadline_ms", null)).json().get("deadline_ms").isNull()).isTrue();
    }

    @Test
    void nodesShowTheTargetHealthEachNodeReported() {
        String node = unique("node");
        String serviceId = java.util.UUID.randomUUID().toString();
        new io.tollgate.db.store.NodeStore(admin.db().dsl()).heartbeat(node, "gw-9.internal", 0,
                java.time.OffsetDateTime.now(), java.util.List.of(new io.tollgate.db.model.GatewayNode.Target(
                        serviceId, "orders", "http://10.0.0.9:8080", false, "half-open", true, false)));

        JsonNode items = admin.get("/nodes", admin.rootToken()).json().get("items");

        JsonNode reported = null;
        for (JsonNode item : items) {
            if (item.get("id").asText().equals(node)) {
                reported = item.get("targets").get(0);
            }
        }
        assertThat(reported).isNotNull();
        assertThat(reported.get("service_id").asText()).isEqualTo(serviceId);
        assertThat(reported.get("target").asText()).isEqualTo("http://10.0.0.9:8080");
        assertThat(reported.get("healthy").asBoolean()).isFalse();
        assertThat(reported.get("circuit").asText()).isEqualTo("half-open");
        assertThat(reported.get("ejected").asBoolean()).isTrue();
    }

    @Test
    void routeCacheSettingsAreSetKeptAndValidated() {
        String slug = admin.tenant();
        String token = admin.userToken("tenant-admin", slug);
        JsonNode route = admin.serviceAndRoute(token, slug);
        String path = "/tenants/" + slug + "/routes/" + route.get("id").asText();
        assertThat(route.get("cache_enabled").asBoolean()).isFalse();
        assertThat(route.get("cache_ttl_seconds").asInt()).isEqualTo(60);
        assertThat(route.get("cache_per_consumer").asBoolean()).isFalse();
        assertThat(route.get("cache_stale_if_error_seconds").asInt()).isZero();

        var changed = admin.patch(path, token, json("cache_enabled", true, "cache_ttl_seconds", 300,
                "cache_per_consumer", true, "cache_stale_if_error_seconds", 600));
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        JsonNode read = admin.get(path, token).json();
        assertThat(read.get("cache_enabled").asBoolean()).isTrue();
        assertThat(read.get("cache_ttl_seconds").asInt()).isEqualTo(300);
        assertThat(read.get("cache_per_consumer").asBoolean()).isTrue();
        assertThat(read.get("cache_stale_if_error_seconds").asInt()).isEqualTo(600);
        // an unrelated change keeps them
        assertThat(admin.patch(path, token, json("strip_prefix", true)).json().get("cache_ttl_seconds").asInt())
                .isEqualTo(300);

        var refused = admin.patch(path, token, json("cache_ttl_seconds", 0, "cache_stale_if_error_seconds", -1,
                "cache_enabled", "yes"));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(refused.json().get("errors").findValuesAsText("field"))
                .containsExactlyInAnyOrder("cache_ttl_seconds", "cache_stale_if_error_seconds", "cache_enabled");
        assertThat(admin.patch(path, token, json("cache_ttl_seconds", null)).status()).isEqualTo(400);
    }

    @Test
    void cachePurgeIsAuditedBumpsTheConfigVersionAndKeepsTheRouteAsItWas() {
        String slug = admin.tenant();
        String token = admin.userToken("tenant-admin", slug);
        JsonNode route = admin.serviceAndRoute(token, slug);
        String path = "/tenants/" + slug + "/routes/" + route.get("name").asText();
        String etag = admin.get(path, token).header("ETag");
        long version = new io.tollgate.db.store.ConfigStateStore(admin.db().dsl()).version();

        var first = admin.post(path + "/cache/purge", token, null);
        var second = admin.post(path + "/cache/purge", token, null);

        assertThat(first.status()).as(first.body()).isEqualTo(202);
        assertThat(first.json().get("route_id").asText()).isEqualTo(route.get("id").asText());
        assertThat(first.json().get("cache_purge_generation").asLong()).isEqualTo(1);
        assertThat(second.json().get("cache_purge_generation").asLong()).isEqualTo(2);
        // other tests write meanwhile: the version moved at least by these two
        assertThat(new io.tollgate.db.store.ConfigStateStore(admin.db().dsl()).version())
                .isGreaterThanOrEqualTo(version + 2);
        assertThat(admin.get(path, token).header("ETag")).as("a purge changes no setting").isEqualTo(etag);
        String audit = "/audit-events?tenant=" + slug + "&action=route.cache.purge&limit=10";
        var purges = admin.get(audit, admin.rootToken()).json().get("items");
        assertThat(purges).hasSize(2);
        assertThat(purges.get(0).get("target_id").asText()).isEqualTo(route.get("id").asText());

        var missing = admin.post("/tenants/" + slug + "/routes/no-such-route/cache/purge", token, null);
        assertThat(missing.status()).isEqualTo(404);
        // another tenant's admin cannot purge it, nor learn that it exists
        String other = admin.userToken("tenant-admin", admin.tenant());
        var foreign = admin.post(path + "/cache/purge", other, null);
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.body()).doesNotContain(route.get("id").asText());
        assertThat(admin.get(audit, admin.rootToken()).json().get("items")).as("nothing purged, nothing audited")
                .hasSize(2);
    }

    @Test
    void routeValidationNamesTheField() {
        String slug = admin.tenant();
        var r = admin.post("/tenants/" + slug + "/routes", admin.rootToken(), json("name", "r", "service", "missing",
                "paths", new String[]{"no-slash"}, "methods", new String[]{"FETCH"}, "auth", "magic"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("errors").findValuesAsText("field"))
                .contains("service", "paths[0]", "methods[0]", "auth");
    }

    @Test
    void overlappingRoutesConflictWithinAndAcrossTenants() {
        String a = admin.tenant();
        String b = admin.tenant();
        JsonNode route = admin.serviceAndRoute(admin.rootToken(), a);
        String path = route.get("paths").get(0).asText();
        admin.post("/tenants/" + a + "/services", admin.rootToken(), json("name", "s2",
                "targets", new Object[]{Map.of("url", "http://127.0.0.1:9")}));
        var same = admin.post("/tenants/" + a + "/routes", admin.rootToken(), json("name", "dup", "service", "s2",
                "paths", new String[]{path}));
        assertThat(same.status()).isEqualTo(409);
        admin.post("/tenants/" + b + "/services", admin.rootToken(), json("name", "s2",
                "targets", new Object[]{Map.of("url", "http://127.0.0.1:9")}));
        var other = admin.post("/tenants/" + b + "/routes", admin.rootToken(), json("name", "dup", "service", "s2",
                "paths", new String[]{path}, "methods", new String[]{"GET"}));
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.json().get("detail").asText()).doesNotContain(a).doesNotContain(route.get("name").asText());
        var otherMethod = admin.post("/tenants/" + b + "/routes", admin.rootToken(), json("name", "post-only",
                "service", "s2", "paths", new String[]{path}, "methods", new String[]{"POST"}));
        assertThat(otherMethod.status()).isEqualTo(201);
    }

    @Test
    void keyCreateReplayNeverShowsTheKeyAgain() {
        String slug = admin.tenant();
        var body = json("name", "ci");
        var first = admin.call("POST", "/tenants/" + slug + "/api-keys", admin.rootToken(), body,
                Map.of("Idempotency-Key", "key-once"));
        var replay = admin.call("POST", "/tenants/" + slug + "/api-keys", admin.rootToken(), body,
                Map.of("Idempotency-Key", "key-once"));
        assertThat(first.json().get("key").asText()).startsWith("tg_");
        assertThat(replay.status()).isEqualTo(201);
        assertThat(replay.json().get("id")).isEqualTo(first.json().get("id"));
        assertThat(replay.json().get("key").isNull()).isTrue();
        assertThat(admin.get("/tenants/" + slug + "/api-keys", admin.rootToken()).json().get("items")).hasSize(1);
    }

    @Test
    void keyUpdateHonoursIfMatch() {
        String slug = admin.tenant();
        var key = admin.post("/tenants/" + slug + "/api-keys", admin.rootToken(), json("name", "k"));
        String path = "/tenants/" + slug + "/api-keys/" + key.json().get("id").asText();
        var ok = admin.call("PATCH", path, admin.rootToken(), json("name", "renamed", "expires_at",
                "2099-01-01T00:00:00Z", "rate_per_second", 5), Map.of("If-Match", key.header("ETag")));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().get("rate_per_second").asInt()).isEqualTo(5);
        var stale = admin.call("PATCH", path, admin.rootToken(), json("name", "again"),
                Map.of("If-Match", key.header("ETag")));
        assertThat(stale.status()).isEqualTo(412);
    }

    @Test
    void usersAndGrantsAreManagedByPlatformAdmins() {
        String slug = admin.tenant();
        String email = unique("ops") + "@tollgate.test";
        var created = admin.post("/users", admin.rootToken(), json("email", email, "password", "long-enough-pass",
                "grants", new Object[]{Map.of("role", "auditor", "tenant", slug)}));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.body()).doesNotContain("long-enough-pass").doesNotContain("pbkdf2");
        String path = "/users/" + created.json().get("id").asText();
        var promoted = admin.call("PATCH", path, admin.rootToken(), json("grants", new Object[]{
                Map.of("role", "tenant-admin", "tenant", slug)}), Map.of("If-Match", created.header("ETag")));
        assertThat(promoted.status()).isEqualTo(200);
        assertThat(promoted.json().at("/grants/0/role").asText()).isEqualTo("tenant-admin");
        String token = admin.signIn(email, "long-enough-pass");
        assertThat(admin.post("/tenants/" + slug + "/api-keys", token, json("name", "mine")).status()).isEqualTo(201);
        var weak = admin.post("/users", admin.rootToken(), json("email", unique("w") + "@x.io", "password", "short"));
        assertThat(weak.status()).isEqualTo(400);
        assertThat(weak.json().at("/errors/0/field").asText()).isEqualTo("password");
        assertThat(admin.delete(path, admin.rootToken()).status()).isEqualTo(204);
        assertThat(admin.get("/tenants/" + slug, token).status()).isEqualTo(401);
    }

    @Test
    void automationTokensAreShownOnceAndCanBeRevoked() {
        String slug = admin.tenant();
        var created = admin.post("/tokens", admin.rootToken(), json("name", "ci", "role", "tenant-admin",
                "tenant", slug, "expires_in", 3600));
        assertThat(created.status()).isEqualTo(201);
        String token = created.json().get("token").asText();
        assertThat(admin.get("/tenants/" + slug + "/services", token).status()).isEqualTo(200);
        assertThat(admin.get("/tokens", admin.rootToken()).body()).doesNotContain(token);
        assertThat(admin.delete("/tokens/" + created.json().get("id").asText(), admin.rootToken()).status())
                .isEqualTo(204);
        var refused = admin.get("/tenants/" + slug + "/services", token);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.header("WWW-Authenticate")).startsWith("Bearer");
    }

    @Test
    void wrongPasswordIsRefusedAndThrottled() {
        String email = unique("victim") + "@tollgate.test";
        admin.post("/users", admin.rootToken(), json("email", email, "password", "correct-horse-battery"));
        for (int i = 0; i < 5; i++) {
            assertThat(admin.post("/auth/token", null, json("email", email, "password", "wrong-" + i)).status())
                    .isEqualTo(401);
        }
        var throttled = admin.post("/auth/token", null, json("email", email, "password", "correct-horse-battery"));
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.header("Retry-After")).isNotBlank();
    }
}
