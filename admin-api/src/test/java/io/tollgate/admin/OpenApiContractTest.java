package io.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpService;
import io.tollgate.admin.AdminFixture.Reply;
import io.tollgate.db.store.NodeStore;
import io.tollgate.db.testing.TestDatabase;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.tollgate.admin.AdminFixture.json;
import static io.tollgate.admin.AdminFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Keeps {@code openapi.yaml} true. The document must list exactly the operations the admin routes (an explicit
 * list kept here, itself checked against what the resources register), and every documented operation is called
 * against the real admin: once on its happy path with valid inputs, and with the generic mistakes the document
 * promises answers for (no token, an outsider's token, an unknown id, a wrong media type, an unknown field, a
 * malformed or too large body, a stale If-Match, a bad page size, an Idempotency-Key replay and misuse, a
 * repeated create or delete). Every answer must be a documented status with the documented media type, required
 * headers and (for JSON) a body that fits the documented schema, declaring every field it sends.
 */
class OpenApiContractTest {
    /**
     * The server's operations under /api/v1, from the resources' routing() methods and AdminServer's meta routes.
     * Adding a route to the server means adding it here and to openapi.yaml.
     */
    static final Set<String> SERVER_OPERATIONS = Set.of(
            // TokenResource
            "POST /auth/token",
            "POST /tokens",
            "GET /tokens",
            "GET /tokens/{id}",
            "DELETE /tokens/{id}",
            // TenantResource
            "POST /tenants",
            "GET /tenants",
            "GET /tenants/{slug}",
            "PATCH /tenants/{slug}",
            "DELETE /tenants/{slug}",
            // ServiceResource
            "POST /tenants/{slug}/services",
            "GET /tenants/{slug}/services",
            "GET /tenants/{slug}/services/{ref}",
            "PATCH /tenants/{slug}/services/{ref}",
            "DELETE /tenants/{slug}/services/{ref}",
            // RouteResource
            "POST /tenants/{slug}/routes",
            "GET /tenants/{slug}/routes",
            "GET /tenants/{slug}/routes/{ref}",
            "PATCH /tenants/{slug}/routes/{ref}",
            "DELETE /tenants/{slug}/routes/{ref}",
            // RouteCacheResource
            "POST /tenants/{slug}/routes/{ref}/cache/purge",
            // KeyResource
            "POST /tenants/{slug}/api-keys",
            "GET /tenants/{slug}/api-keys",
            "GET /tenants/{slug}/api-keys/{id}",
            "PATCH /tenants/{slug}/api-keys/{id}",
            "DELETE /tenants/{slug}/api-keys/{id}",
            // UserResource
            "POST /users",
            "GET /users",
            "GET /users/{id}",
            "PATCH /users/{id}",
            "DELETE /users/{id}",
            // NodeResource
            "GET /nodes",
            // AuditResource
            "GET /audit-events",
            "GET /audit-events/export",
            "GET /audit-events/verify",
            // ConfigResource
            "GET /tenants/{slug}/config",
            "POST /tenants/{slug}/config",
            "GET /config",
            "GET /config.schema.json",
            // AdminServer.meta
            "GET /health",
            "GET /openapi.yaml");

    private static final List<String> HTTP_METHODS = List.of("get", "put", "post", "delete", "options", "head",
            "patch", "trace");
    private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");
    private static final String PASSWORD = "contract-password-1";

    private static final Map<String, Object> DOC = loadDocument();
    private static String outsiderToken;

    private final AdminFixture admin = AdminFixture.get();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    // ------------------------------------------------------------------------------------------------------------
    // The document and the server list the same operations

    @Test
    void documentListsExactlyTheServersOperations() {
        assertThat(new TreeSet<>(operations().keySet()))
                .as("operations in openapi.yaml versus the server's routes (SERVER_OPERATIONS)")
                .isEqualTo(new TreeSet<>(SERVER_OPERATIONS));
    }

    @Test
    void explicitListMatchesWhatTheResourcesRegister() {
        var settings = TestDatabase.settings(Map.of("TOLLGATE_JWT_SECRET", AdminFixture.JWT_SECRET));
        AdminContext ctx = AdminContext.create(settings, admin.db(), Clock.systemUTC());
        Set<String> registered = new TreeSet<>();
        AdminServer.routing(RouteRecorder.create("", registered), ctx);
        Set<String> underApi = new TreeSet<>();
        for (String op : registered) {
            String[] parts = op.split(" ", 2);
            assertThat(parts[1]).as("every route of the admin API lives under /api/v1").startsWith("/api/v1/");
            underApi.add(parts[0] + " " + parts[1].substring("/api/v1".length()));
        }
        assertThat(underApi).as("routes registered by AdminServer.routing versus SERVER_OPERATIONS")
                .isEqualTo(new TreeSet<>(SERVER_OPERATIONS));
    }

    @Test
    void undocumentedMethodsOnDocumentedPathsAreNoSuchEndpoint() {
        Map<String, Object> paths = map(DOC.get("paths"));
        for (String path : paths.keySet()) {
            Set<String> documented = new LinkedHashSet<>();
            map(paths.get(path)).keySet().stream().filter(HTTP_METHODS::contains).forEach(documented::add);
            String concrete = PATH_PARAM.matcher(path).replaceAll("x" + UUID.randomUUID().toString().substring(0, 8));
            for (String method : List.of("get", "post", "put", "patch", "delete")) {
                if (documented.contains(method)) {
                    continue;
                }
                String upper = method.toUpperCase(Locale.ROOT);
                boolean withBody = !method.equals("get") && !method.equals("delete");
                Reply r = send(upper, concrete, admin.rootToken(), withBody ? "application/json" : null,
                        withBody ? "{}".getBytes(StandardCharsets.UTF_8) : null, Map.of());
                assertThat(r.status()).as("%s %s is not documented, so the server must not serve it: %s", upper, path,
                        r.body()).isEqualTo(404);
                assertThat(r.json().path("detail").asText()).as("%s %s", upper, path).startsWith("no such endpoint");
            }
        }
    }

    @Test
    void servesThisDocument() throws IOException {
        Reply r = send("GET", "/openapi.yaml", null, null, null, Map.of());
        assertThat(r.status()).isEqualTo(200);
        assertThat(baseType(r.header("Content-Type"))).isEqualTo("application/yaml");
        try (InputStream in = OpenApiContractTest.class.getResourceAsStream("/openapi.yaml")) {
            assertThat(r.body()).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        Map<String, Object> served = map(yaml().load(r.body()));
        assertThat(served.get("openapi")).isEqualTo("3.1.0");
    }

    // ------------------------------------------------------------------------------------------------------------
    // The document is consistent with itself

    @Test
    void documentIsWellFormed() {
        assertThat(DOC.get("openapi")).isEqualTo("3.1.0");
        assertThat(map(map(map(DOC.get("components")).get("securitySchemes")).get("bearerAuth")))
                .containsEntry("type", "http").containsEntry("scheme", "bearer").containsEntry("bearerFormat", "JWT");
        List<String> refs = new ArrayList<>();
        collectRefs(DOC, refs);
        for (String ref : refs) {
            assertThat(resolvePointer(ref)).as("$ref %s resolves", ref).isNotNull();
        }
        Set<String> operationIds = new TreeSet<>();
        for (Op op : operations().values()) {
            assertThat(op.operationId()).as("%s has an operationId", op.key()).isNotNull();
            assertThat(operationIds.add(op.operationId())).as("operationId %s is unique", op.operationId()).isTrue();
            Set<String> declared = new TreeSet<>();
            op.parameters().stream().filter(p -> "path".equals(p.get("in")))
                    .forEach(p -> declared.add((String) p.get("name")));
            Set<String> inPath = new TreeSet<>();
            Matcher m = PATH_PARAM.matcher(op.path());
            while (m.find()) {
                inPath.add(m.group(1));
            }
            assertThat(declared).as("%s declares its path parameters", op.key()).isEqualTo(inPath);
            Set<String> statuses = op.responses().keySet();
            if (op.secured()) {
                assertThat(statuses).as("%s needs a token, so documents 401", op.key()).contains("401");
            }
            if (op.requestBody() != null) {
                assertThat(statuses).as("%s reads a body", op.key()).contains("400", "413", "415");
            }
            if (op.hasHeaderParam("If-Match")) {
                assertThat(statuses).as("%s honours If-Match", op.key()).contains("412");
            }
            if (op.hasHeaderParam("Idempotency-Key")) {
                assertThat(statuses).as("%s honours Idempotency-Key", op.key()).contains("201", "422");
            }
            if (op.hasQueryParam("limit")) {
                assertThat(statuses).as("%s pages", op.key()).contains("400");
            }
        }
        Set<String> unauthenticated = new TreeSet<>();
        operations().values().stream().filter(op -> !op.secured()).forEach(op -> unauthenticated.add(op.key()));
        assertThat(unauthenticated).containsExactlyInAnyOrder("POST /auth/token", "GET /health", "GET /openapi.yaml",
                "GET /config.schema.json");
    }

    // ------------------------------------------------------------------------------------------------------------
    // Every documented operation against the real admin

    @TestFactory
    Stream<DynamicTest> everyDocumentedOperationBehavesAsDocumented() {
        return operations().values().stream()
                .map(op -> DynamicTest.dynamicTest(op.key(), () -> exercise(op)));
    }

    /** The happy-path call of each operation, with the objects it needs created first. */
    private Map<String, Function<World, Call>> happyPaths() {
        Map<String, Function<World, Call>> h = new HashMap<>();
        h.put("POST /auth/token", w -> Call.of(Map.of(),
                json("email", AdminFixture.ADMIN_EMAIL, "password", AdminFixture.ADMIN_PASSWORD)));
        h.put("POST /tokens", w -> Call.of(Map.of(), json("name", unique("automation"), "role", "tenant-admin",
                "tenant", w.slug, "expires_in", 3600)));
        h.put("GET /tokens", w -> {
            w.token();
            return Call.query(Map.of(), "limit=5");
        });
        h.put("GET /tokens/{id}", w -> Call.of(Map.of("id", w.token().get("id").asText()), null));
        h.put("DELETE /tokens/{id}", w -> Call.of(Map.of("id", w.token().get("id").asText()), null));

        h.put("POST /tenants", w -> Call.of(Map.of(), json("slug", unique("new"), "name", "New tenant",
                "status", "active", "plan", Map.of("rate_per_second", 10, "burst", 20, "quota", 1000,
                        "quota_period", "day"))));
        h.put("GET /tenants", w -> Call.query(Map.of(), "limit=2"));
        h.put("GET /tenants/{slug}", w -> Call.of(Map.of("slug", w.slug), null));
        h.put("PATCH /tenants/{slug}", w -> Call.of(Map.of("slug", w.slug), json("name", "Renamed",
                "status", "suspended", "plan", Map.of("burst", 300), "jwt", Map.of("issuer", "https://login.example.com",
                        "audience", "orders", "hs256_secret", "s".repeat(40), "clock_skew_seconds", 30))));
        h.put("DELETE /tenants/{slug}", w -> {
            w.route();
            w.key();
            w.token();
            w.user();
            return Call.of(Map.of("slug", w.slug), null);
        });

        h.put("POST /tenants/{slug}/services", w -> Call.of(Map.of("slug", w.slug), serviceBody()));
        h.put("GET /tenants/{slug}/services", w -> {
            w.service();
            return Call.query(Map.of("slug", w.slug), "limit=10");
        });
        h.put("GET /tenants/{slug}/services/{ref}", w -> Call.of(Map.of("slug", w.slug,
                "ref", w.service().get("name").asText()), null));
        h.put("PATCH /tenants/{slug}/services/{ref}", w -> Call.of(Map.of("slug", w.slug,
                "ref", w.service().get("id").asText()), json("retries", 2, "protocol", "h2c",
                "targets", List.of(Map.of("url", "http://backend.example.com:8443/base", "weight", 5)))));
        h.put("DELETE /tenants/{slug}/services/{ref}", w -> Call.of(Map.of("slug", w.slug,
                "ref", w.service().get("id").asText()), null));

        h.put("POST /tenants/{slug}/routes", w -> Call.of(Map.of("slug", w.slug),
                routeBody(w.service().get("name").asText())));
        h.put("GET /tenants/{slug}/routes", w -> {
            w.route();
            return Call.query(Map.of("slug", w.slug), "limit=10");
        });
        h.put("GET /tenants/{slug}/routes/{ref}", w -> Call.of(Map.of("slug", w.slug,
                "ref", w.route().get("name").asText()), null));
        h.put("PATCH /tenants/{slug}/routes/{ref}", w -> Call.of(Map.of("slug", w.slug,
                "ref", w.route().get("id").asText()), json("strip_prefix", false, "methods", List.of("GET", "PUT"),
                "max_body_bytes", null, "auth", "none", "pass_credential", true,
                "internal_headers", List.of("X-Debug-Trace"), "cache_enabled", true, "cache_ttl_seconds", 120,
                "cache_per_consumer", true, "cache_stale_if_error_seconds", 30)));
        h.put("POST /tenants/{slug}/routes/{ref}/cache/purge", w -> Call.of(Map.of("slug", w.slug,
                "ref", w.route().get("name").asText()), null));
        h.put("DELETE /tenants/{slug}/routes/{ref}", w -> Call.of(Map.of("slug", w.slug,
                "ref", w.route().get("id").asText()), null));

        h.put("POST /tenants/{slug}/api-keys", w -> Call.of(Map.of("slug", w.slug),
                keyBody(w.route().get("name").asText())));
        h.put("GET /tenants/{slug}/api-keys", w -> {
            w.key();
            return Call.query(Map.of("slug", w.slug), "limit=10");
        });
        h.put("GET /tenants/{slug}/api-keys/{id}", w -> Call.of(Map.of("slug", w.slug,
                "id", w.key().get("id").asText()), null));
        h.put("PATCH /tenants/{slug}/api-keys/{id}", w -> Call.of(Map.of("slug", w.slug,
                "id", w.key().get("id").asText()), json("name", "renamed key", "quota", null, "allowed_routes", null)));
        h.put("DELETE /tenants/{slug}/api-keys/{id}", w -> Call.of(Map.of("slug", w.slug,
                "id", w.key().get("id").asText()), null));

        h.put("POST /users", w -> Call.of(Map.of(), userBody(w.slug)));
        h.put("GET /users", w -> {
            w.user();
            return Call.query(Map.of(), "limit=3");
        });
        h.put("GET /users/{id}", w -> Call.of(Map.of("id", w.user().get("id").asText()), null));
        h.put("PATCH /users/{id}", w -> Call.of(Map.of("id", w.user().get("id").asText()),
                json("display_name", "Renamed", "disabled", true,
                        "grants", List.of(Map.of("role", "auditor", "tenant", w.slug)))));
        h.put("DELETE /users/{id}", w -> Call.of(Map.of("id", w.user().get("id").asText()), null));

        h.put("GET /nodes", w -> {
            new NodeStore(admin.db().dsl()).heartbeat(unique("node"), "gw-1.internal", 0,
                    OffsetDateTime.now().minusMinutes(1), List.of(new io.tollgate.db.model.GatewayNode.Target(
                            java.util.UUID.randomUUID().toString(), "orders", "http://10.0.0.1:8080", false, "open",
                            false, false)));
            return Call.of(Map.of(), null);
        });
        h.put("GET /audit-events", w -> {
            w.service();
            return Call.query(Map.of(), "tenant=" + w.slug + "&from=2000-01-01T00:00:00Z&to="
                    + Instant.now().plus(1, ChronoUnit.DAYS) + "&action=service.create&limit=10");
        });
        h.put("GET /audit-events/export", w -> {
            w.service();
            return Call.query(Map.of(), "tenant=" + w.slug + "&format=csv&action=service.create");
        });
        h.put("GET /audit-events/verify", w -> Call.query(Map.of(), "from=2000-01-01T00:00:00Z"));
        h.put("GET /tenants/{slug}/config", w -> {
            w.key();
            return Call.of(Map.of("slug", w.slug), null);
        });
        h.put("POST /tenants/{slug}/config", w -> {
            // Changes the service and creates a route and a key: the answer lists updates, creates and a secret.
            String service = w.service().get("name").asText();
            String p = "/" + unique("cfg");
            ObjectNode doc = json("format", "tollgate.config/v1", "tenant", Map.of("slug", w.slug, "name", "Same"),
                    "services", List.of(Map.of("name", service, "retries", 3,
                            "targets", List.of(Map.of("url", "http://127.0.0.1:9", "weight", 2)))),
                    "routes", List.of(Map.of("name", unique("route"), "service", service, "paths", List.of(p),
                            "methods", List.of("GET"), "hosts", List.of(), "strip_prefix", true, "auth", "api-key")),
                    "api_keys", List.of(Map.of("name", unique("key"), "rate_per_second", 5, "revoked", false)));
            return new Call(Map.of("slug", w.slug), "prune=false", doc);
        });
        h.put("GET /config", w -> {
            w.route();
            return Call.of(Map.of(), null);
        });
        h.put("GET /config.schema.json", w -> Call.of(Map.of(), null));
        h.put("GET /health", w -> Call.of(Map.of(), null));
        h.put("GET /openapi.yaml", w -> Call.of(Map.of(), null));
        return h;
    }

    private void exercise(Op op) {
        var happy = happyPaths().get(op.key());
        assertThat(happy).as("no happy-path call is defined in this test for the documented operation %s", op.key())
                .isNotNull();
        World world = new World(op.key());
        Call call = happy.apply(world);
        String path = op.concretePath(call.params());
        String query = call.query() == null ? "" : "?" + call.query();
        String root = admin.rootToken();
        byte[] body = call.body() == null ? null : bytes(call.body());
        String jsonType = call.body() == null ? null : "application/json";

        // Without a token.
        if (op.secured()) {
            Reply r = check(op, "no token", send(op.method(), path + query, null, jsonType, body, Map.of()));
            assertThat(r.status()).as("%s without a token", op.key()).isEqualTo(401);
            assertThat(r.problemType()).isEqualTo("unauthenticated");
            Reply forged = check(op, "forged token", send(op.method(), path + query, "not-a-jwt", jsonType, body,
                    Map.of()));
            assertThat(forged.status()).as("%s with a forged token", op.key()).isEqualTo(401);
        }
        // A tenant admin of another tenant: whatever it gets must be documented; it must not change anything.
        if (op.responses().containsKey("403")) {
            Reply r = check(op, "outsider", send(op.method(), path + query, outsider(), jsonType, body, Map.of()));
            if (!op.method().equals("GET")) {
                assertThat(r.status()).as("%s by a tenant admin of another tenant", op.key()).isEqualTo(403);
            }
        }
        // An unknown id in the last path parameter.
        if (!op.pathParams().isEmpty()) {
            String last = op.pathParams().getLast();
            Map<String, String> params = new HashMap<>(call.params());
            params.put(last, op.isUuidParam(last) ? UUID.randomUUID().toString() : unique("nosuch"));
            Reply r = check(op, "unknown " + last, send(op.method(), op.concretePath(params) + query, root,
                    jsonType, body, Map.of()));
            assertThat(r.status()).as("%s with an unknown %s", op.key(), last).isEqualTo(404);
            assertThat(r.problemType()).isEqualTo("not-found");
        }
        if (op.requestBody() != null) {
            assertThat(call.body()).as("%s documents a request body", op.key()).isNotNull();
            Object schema = map(map(map(op.requestBody().get("content")).get("application/json"))).get("schema");
            List<String> errors = new ArrayList<>();
            validate(schema, call.body(), "$", errors);
            assertThat(errors).as("%s: the documented request schema accepts the happy-path body", op.key()).isEmpty();
            List<String> refused = new ArrayList<>();
            validate(schema, call.body().deepCopy().put("no_such_field", 1), "$", refused);
            assertThat(refused).as("%s: the documented request schema refuses unknown fields", op.key()).isNotEmpty();
            Reply plain = check(op, "text/plain body", send(op.method(), path, root, "text/plain", body, Map.of()));
            assertThat(plain.status()).as("%s with a text/plain body", op.key()).isEqualTo(415);
            assertThat(plain.problemType()).isEqualTo("unsupported-media-type");

            ObjectNode unknown = call.body().deepCopy().put("no_such_field", 1);
            Reply typo = check(op, "unknown field", send(op.method(), path, root, jsonType, bytes(unknown), Map.of()));
            assertThat(typo.status()).as("%s with an unknown field", op.key()).isEqualTo(400);
            assertThat(typo.problemType()).isEqualTo("validation-failed");
            // Config documents name fields by JSON Pointer (/no_such_field); other bodies by name.
            assertThat(typo.json().get("errors").findValuesAsText("field"))
                    .containsAnyOf("no_such_field", "/no_such_field");

            Reply malformed = check(op, "malformed body", send(op.method(), path, root, jsonType,
                    "{\"name\":".getBytes(StandardCharsets.UTF_8), Map.of()));
            assertThat(malformed.status()).as("%s with malformed JSON", op.key()).isEqualTo(400);
            assertThat(malformed.problemType()).isEqualTo("malformed-request");

            byte[] big = ("{\"pad\":\"" + "x".repeat(1024 * 1024 + 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
            Reply large = check(op, "body over 1 MiB", send(op.method(), path, root, jsonType, big, Map.of()));
            assertThat(large.status()).as("%s with a body over 1 MiB", op.key()).isEqualTo(413);

            if (op.requestBody().containsKey("content")
                    && map(op.requestBody().get("content")).containsKey("application/merge-patch+json")) {
                // Documented as accepted: must not be 415 (a stale If-Match keeps it from changing anything).
                Reply merge = check(op, "merge-patch body", send(op.method(), path, root,
                        "application/merge-patch+json", body, Map.of("If-Match", "\"999\"")));
                assertThat(merge.status()).as("%s with application/merge-patch+json", op.key()).isEqualTo(412);
            }
        }
        if (op.hasHeaderParam("If-Match")) {
            Reply stale = check(op, "stale If-Match", send(op.method(), path, root, jsonType, body,
                    Map.of("If-Match", "\"999\"")));
            assertThat(stale.status()).as("%s with a stale If-Match", op.key()).isEqualTo(412);
            assertThat(stale.problemType()).isEqualTo("precondition-failed");
        }
        if (op.hasQueryParam("limit")) {
            Reply bad = check(op, "limit=0", send(op.method(), path + "?limit=0", root, null, null, Map.of()));
            assertThat(bad.status()).as("%s with limit=0", op.key()).isEqualTo(400);
            Reply badCursor = check(op, "bad cursor", send(op.method(), path + "?cursor=%25%25", root, null, null,
                    Map.of()));
            assertThat(badCursor.status()).as("%s with a cursor it never returned", op.key()).isEqualTo(400);
        }

        // The happy path.
        Map<String, String> headers = new HashMap<>();
        if (op.hasHeaderParam("If-Match")) {
            Reply current = send("GET", path, root, null, null, Map.of());
            assertThat(current.status()).as("GET %s to learn the ETag", path).isEqualTo(200);
            headers.put("If-Match", current.header("ETag"));
        }
        String idempotencyKey = op.hasHeaderParam("Idempotency-Key") ? unique("idem") : null;
        if (idempotencyKey != null) {
            headers.put("Idempotency-Key", idempotencyKey);
        }
        String token = op.secured() ? root : null;
        Reply ok = check(op, "happy path", send(op.method(), path + query, token, jsonType, body, headers));
        assertThat(ok.status()).as("%s happy path: %s", op.key(), ok.body()).isBetween(200, 299);
        if (ok.body() != null && ok.body().startsWith("{") && ok.json().has("items")) {
            assertThat(ok.json().get("items")).as("%s lists what was created, so its schema is checked", op.key())
                    .isNotEmpty();
        }

        if (idempotencyKey != null) {
            Reply replay = check(op, "idempotent replay", send(op.method(), path, token, jsonType, body, headers));
            assertThat(replay.status()).as("%s replay", op.key()).isEqualTo(ok.status());
            assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
            assertThat(replay.header("Location")).isEqualTo(ok.header("Location"));
            ObjectNode expected = (ObjectNode) ok.json().deepCopy();
            for (String secret : List.of("key", "token")) {
                if (expected.has(secret)) {
                    expected.putNull(secret);
                }
            }
            assertThat(replay.json()).as("%s replay answers the first response without secrets", op.key())
                    .isEqualTo(expected);
            ObjectNode other = call.body().deepCopy().put("name", "another body");
            Reply misuse = check(op, "Idempotency-Key with another body", send(op.method(), path, token, jsonType,
                    bytes(other), Map.of("Idempotency-Key", idempotencyKey)));
            assertThat(misuse.status()).as("%s reusing an Idempotency-Key", op.key()).isEqualTo(422);
        }
        if (ok.status() == 201) {
            String location = ok.header("Location");
            assertThat(location).startsWith("/api/v1" + path + "/");
            // Creating the same thing again without a key: a conflict or a second object, as documented.
            check(op, "repeated create", send(op.method(), path, token, jsonType, body, Map.of()));
        }
        if (op.method().equals("DELETE")) {
            Reply again = check(op, "repeated delete", send(op.method(), path, token, null, null, Map.of()));
            assertThat(again.status()).as("%s a second time", op.key()).isIn(404, 409);
        }
        if (op.key().equals("POST /auth/token")) {
            signInFailuresAreThrottled(op);
        }
    }

    /** 401 for a wrong password, then 429 with Retry-After once there were too many failures. */
    private void signInFailuresAreThrottled(Op op) {
        ObjectNode wrong = json("email", unique("nobody") + "@tollgate.test", "password", "not-the-password");
        for (int i = 0; i < 5; i++) {
            Reply r = check(op, "wrong password", send("POST", "/auth/token", null, "application/json", bytes(wrong),
                    Map.of()));
            assertThat(r.status()).isEqualTo(401);
        }
        Reply throttled = check(op, "too many failures", send("POST", "/auth/token", null, "application/json",
                bytes(wrong), Map.of()));
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.problemType()).isEqualTo("rate-limited");
    }

    /**
     * Asserts the reply is documented for the operation: its status, its media type, the headers the document
     * marks required, and, for JSON, that the body fits the schema.
     */
    private Reply check(Op op, String what, Reply r) {
        String context = op.key() + " [" + what + "] answered " + r.status() + " " + r.headers() + " " + r.body();
        String contentType = baseType(r.header("Content-Type"));
        if (r.status() == 404 && "application/problem+json".equals(contentType)
                && r.json().path("detail").asText().startsWith("no such endpoint")) {
            fail("%s is documented but the server has no such endpoint: %s", op.key(), context);
        }
        Object documented = op.responses().get(Integer.toString(r.status()));
        if (documented == null) {
            fail("status %d is not documented for %s (documented: %s): %s", r.status(), op.key(),
                    op.responses().keySet(), context);
        }
        Map<String, Object> response = map(deref(documented));
        Map<String, Object> content = response.containsKey("content") ? map(response.get("content")) : null;
        if (content == null) {
            assertThat(r.body()).as("%s documents no body", context).isEmpty();
            assertThat(contentType).as("%s documents no body, so no Content-Type", context).isNull();
        } else {
            assertThat(content.keySet()).as("documented media types of %s", context).contains(contentType);
            if (contentType.endsWith("json")) {
                List<String> errors = new ArrayList<>();
                validate(map(content.get(contentType)).get("schema"), r.json(), "$", errors);
                assertThat(errors).as("the body of %s fits the documented schema", context).isEmpty();
            }
        }
        if (response.containsKey("headers")) {
            map(response.get("headers")).forEach((name, header) -> {
                if (Boolean.TRUE.equals(map(deref(header)).get("required"))) {
                    assertThat(r.header(name)).as("documented required header %s in %s", name, context).isNotNull();
                }
            });
        }
        assertThat(r.header("X-Request-Id")).as("X-Request-Id in %s", context).isNotBlank();
        return r;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Objects the calls need

    /** A fresh tenant per operation, and the objects in it an operation needs, created through the API. */
    private final class World {
        final String forOperation;
        final String slug = admin.tenant();
        private JsonNode service;
        private JsonNode route;
        private JsonNode key;
        private JsonNode user;
        private JsonNode token;

        World(String forOperation) {
            this.forOperation = forOperation;
        }

        JsonNode service() {
            if (service == null) {
                service = created("a service", admin.post("/tenants/" + slug + "/services", admin.rootToken(),
                        serviceBody()));
            }
            return service;
        }

        JsonNode route() {
            if (route == null) {
                route = created("a route", admin.post("/tenants/" + slug + "/routes", admin.rootToken(),
                        routeBody(service().get("name").asText())));
            }
            return route;
        }

        JsonNode key() {
            if (key == null) {
                key = created("an API key", admin.post("/tenants/" + slug + "/api-keys", admin.rootToken(),
                        keyBody(route().get("name").asText())));
            }
            return key;
        }

        JsonNode user() {
            if (user == null) {
                user = created("a user", admin.post("/users", admin.rootToken(), userBody(slug)));
            }
            return user;
        }

        JsonNode token() {
            if (token == null) {
                token = created("an operator token", admin.post("/tokens", admin.rootToken(),
                        json("name", unique("ci"), "role", "auditor", "tenant", slug)));
            }
            return token;
        }

        private JsonNode created(String what, Reply r) {
            assertThat(r.status()).as("%s: creating %s to call it with: %s", forOperation, what, r.body())
                    .isEqualTo(201);
            return r.json();
        }
    }

    private static ObjectNode serviceBody() {
        return json("name", unique("svc"), "language", "go", "protocol", "http1",
                "targets", List.of(Map.of("url", "http://127.0.0.1:9", "weight", 1),
                        Map.of("url", "http://127.0.0.1:10")),
                "connect_timeout_ms", 1000, "read_timeout_ms", 5000, "retries", 1);
    }

    private static ObjectNode routeBody(String service) {
        String p = unique("p");
        return json("name", unique("route"), "service", service, "hosts", List.of(p + ".example.com"),
                "paths", List.of("/" + p, "/" + p + "-v2"), "methods", List.of("GET", "POST"), "strip_prefix", true,
                "auth", "api-key", "rate_per_second", 10, "burst", 20, "max_body_bytes", 65536,
                "pass_credential", false, "internal_headers", List.of("x-internal-node"));
    }

    private static ObjectNode keyBody(String route) {
        return json("name", unique("key"), "allowed_routes", List.of(route), "rate_per_second", 5, "burst", 10,
                "quota", 1000, "expires_at", Instant.now().plus(30, ChronoUnit.DAYS).toString());
    }

    private static ObjectNode userBody(String slug) {
        Map<String, Object> platformAuditor = new HashMap<>();
        platformAuditor.put("role", "auditor");
        platformAuditor.put("tenant", null);
        return json("email", unique("user") + "@tollgate.test", "password", PASSWORD, "display_name", "A User",
                "disabled", false, "grants", List.of(Map.of("role", "tenant-admin", "tenant", slug), platformAuditor));
    }

    private synchronized String outsider() {
        if (outsiderToken == null) {
            outsiderToken = admin.userToken("tenant-admin", admin.tenant());
        }
        return outsiderToken;
    }

    // ------------------------------------------------------------------------------------------------------------
    // HTTP

    private Reply send(String method, String pathAndQuery, String token, String contentType, byte[] body,
                       Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(admin.base() + pathAndQuery));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        headers.forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(res.statusCode(), res.body(), res.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + pathAndQuery + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(JsonNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String baseType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    // ------------------------------------------------------------------------------------------------------------
    // The document

    /** One documented operation with its path-level parameters merged in. */
    record Op(String method, String path, Map<String, Object> operation, List<Map<String, Object>> parameters) {
        String key() {
            return method + " " + path;
        }

        String operationId() {
            return (String) operation.get("operationId");
        }

        Map<String, Object> responses() {
            return map(operation.get("responses"));
        }

        Map<String, Object> requestBody() {
            return operation.containsKey("requestBody") ? map(deref(operation.get("requestBody"))) : null;
        }

        boolean secured() {
            Object security = operation.containsKey("security") ? operation.get("security") : DOC.get("security");
            return security instanceof List<?> list && !list.isEmpty();
        }

        boolean hasHeaderParam(String name) {
            return parameters.stream().anyMatch(p -> "header".equals(p.get("in"))
                    && name.equalsIgnoreCase((String) p.get("name")));
        }

        boolean hasQueryParam(String name) {
            return parameters.stream().anyMatch(p -> "query".equals(p.get("in")) && name.equals(p.get("name")));
        }

        List<String> pathParams() {
            List<String> names = new ArrayList<>();
            Matcher m = PATH_PARAM.matcher(path);
            while (m.find()) {
                names.add(m.group(1));
            }
            return names;
        }

        boolean isUuidParam(String name) {
            return parameters.stream().filter(p -> "path".equals(p.get("in")) && name.equals(p.get("name")))
                    .map(p -> map(p.get("schema"))).anyMatch(s -> "uuid".equals(s.get("format")));
        }

        String concretePath(Map<String, String> values) {
            Matcher m = PATH_PARAM.matcher(path);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String value = values.get(m.group(1));
                assertThat(value).as("a value for path parameter %s of %s", m.group(1), key()).isNotNull();
                m.appendReplacement(out, Matcher.quoteReplacement(URLEncoder.encode(value, StandardCharsets.UTF_8)));
            }
            m.appendTail(out);
            return out.toString();
        }
    }

    /** Path parameters, an optional query string and an optional JSON body. */
    record Call(Map<String, String> params, String query, ObjectNode body) {
        static Call of(Map<String, String> params, ObjectNode body) {
            return new Call(params, null, body);
        }

        static Call query(Map<String, String> params, String query) {
            return new Call(params, query, null);
        }
    }

    private static Map<String, Op> operations() {
        Map<String, Op> ops = new TreeMap<>();
        map(DOC.get("paths")).forEach((path, item) -> {
            Map<String, Object> pathItem = map(item);
            List<Map<String, Object>> shared = parameters(pathItem.get("parameters"));
            pathItem.forEach((method, operation) -> {
                if (!HTTP_METHODS.contains(method)) {
                    return;
                }
                Map<String, Object> op = map(operation);
                Map<String, Map<String, Object>> merged = new LinkedHashMap<>();
                for (var p : shared) {
                    merged.put(p.get("in") + ":" + p.get("name"), p);
                }
                for (var p : parameters(op.get("parameters"))) {
                    merged.put(p.get("in") + ":" + p.get("name"), p);
                }
                Op o = new Op(method.toUpperCase(Locale.ROOT), path, op, List.copyOf(merged.values()));
                ops.put(o.key(), o);
            });
        });
        return ops;
    }

    private static List<Map<String, Object>> parameters(Object list) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (list instanceof List<?> items) {
            items.forEach(p -> out.add(map(deref(p))));
        }
        return out;
    }

    private static Map<String, Object> loadDocument() {
        try (InputStream in = OpenApiContractTest.class.getResourceAsStream("/openapi.yaml")) {
            assertThat(in).as("openapi.yaml on the class path").isNotNull();
            return map(yaml().load(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A safe YAML loader that refuses duplicate keys, which would silently drop part of the document. */
    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        return new Yaml(new SafeConstructor(options));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).as("a YAML mapping").isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    /** Follows {@code $ref} until a value without one. */
    private static Object deref(Object value) {
        Object current = value;
        for (int i = 0; i < 20 && current instanceof Map<?, ?> m && m.containsKey("$ref"); i++) {
            Object target = resolvePointer((String) m.get("$ref"));
            assertThat(target).as("$ref %s", m.get("$ref")).isNotNull();
            current = target;
        }
        return current;
    }

    private static Object resolvePointer(String ref) {
        if (!ref.startsWith("#/")) {
            return null;
        }
        Object current = DOC;
        for (String part : ref.substring(2).split("/")) {
            String key = part.replace("~1", "/").replace("~0", "~");
            if (!(current instanceof Map<?, ?> m) || !m.containsKey(key)) {
                return null;
            }
            current = m.get(key);
        }
        return current;
    }

    private static void collectRefs(Object node, List<String> out) {
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                if ("$ref".equals(k) && v instanceof String s) {
                    out.add(s);
                } else {
                    collectRefs(v, out);
                }
            });
        } else if (node instanceof List<?> l) {
            l.forEach(v -> collectRefs(v, out));
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // A small JSON Schema (2020-12) check for responses: $ref, allOf, type, enum, required, properties, items,
    // date-time and uuid formats; and, stricter than JSON Schema, every field of an object must be documented.

    private static void validate(Object schemaOrRef, JsonNode value, String at, List<String> errors) {
        validate(schemaOrRef, value, at, errors, true);
    }

    /** {@code strict}: check that every field is documented (by this schema and its allOf parts together). */
    private static void validate(Object schemaOrRef, JsonNode value, String at, List<String> errors, boolean strict) {
        Map<String, Object> schema = map(deref(schemaOrRef));
        if (schema.containsKey("allOf")) {
            for (Object part : (List<?>) schema.get("allOf")) {
                validate(part, value, at, errors, false);
            }
        }
        if (schema.containsKey("type")) {
            List<?> types = schema.get("type") instanceof List<?> l ? l : List.of(schema.get("type"));
            if (types.stream().noneMatch(t -> isType(value, (String) t))) {
                errors.add(at + " is " + value.getNodeType() + ", documented " + types);
                return;
            }
        }
        if (schema.containsKey("enum")) {
            List<?> allowed = (List<?>) schema.get("enum");
            boolean ok = allowed.stream().anyMatch(e -> e == null ? value.isNull()
                    : !value.isNull() && !value.isContainerNode() && value.asText().equals(String.valueOf(e)));
            if (!ok) {
                errors.add(at + " = " + value + " is not one of " + allowed);
            }
        }
        if (value.isTextual() && schema.containsKey("format")) {
            String text = value.asText();
            try {
                switch ((String) schema.get("format")) {
                    case "date-time" -> OffsetDateTime.parse(text);
                    case "uuid" -> UUID.fromString(text);
                    default -> {
                    }
                }
            } catch (DateTimeParseException | IllegalArgumentException e) {
                errors.add(at + " = " + text + " is not a " + schema.get("format"));
            }
        }
        if (value.isObject()) {
            if (schema.containsKey("required")) {
                for (Object name : (List<?>) schema.get("required")) {
                    if (!value.has((String) name)) {
                        errors.add(at + " lacks required field " + name);
                    }
                }
            }
            if (schema.containsKey("properties")) {
                map(schema.get("properties")).forEach((name, sub) -> {
                    if (value.has(name)) {
                        validate(sub, value.get(name), at + "." + name, errors);
                    }
                });
            }
            Set<String> declared = strict ? declaredProperties(schema) : null;
            if (declared != null) {
                for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
                    String name = it.next();
                    if (!declared.contains(name)) {
                        errors.add(at + "." + name + " is sent but not documented");
                    }
                }
            }
        }
        if (value.isArray() && schema.containsKey("items")) {
            for (int i = 0; i < value.size(); i++) {
                validate(schema.get("items"), value.get(i), at + "[" + i + "]", errors);
            }
        }
    }

    /** The properties a schema declares, with its allOf parts; null for a free-form object. */
    private static Set<String> declaredProperties(Map<String, Object> schema) {
        Set<String> names = new TreeSet<>();
        boolean any = false;
        if (schema.containsKey("properties")) {
            names.addAll(map(schema.get("properties")).keySet());
            any = true;
        }
        if (schema.containsKey("allOf")) {
            for (Object part : (List<?>) schema.get("allOf")) {
                Set<String> more = declaredProperties(map(deref(part)));
                if (more != null) {
                    names.addAll(more);
                    any = true;
                }
            }
        }
        return any ? names : null;
    }

    private static boolean isType(JsonNode value, String type) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            case "null" -> value.isNull();
            default -> false;
        };
    }

    // ------------------------------------------------------------------------------------------------------------
    // Reading the routes the server registers, without starting it

    /**
     * An {@link HttpRouting.Builder} that records "METHOD path" for each route registered with a method and a
     * path pattern, walking the services registered on it. Routes registered any other way fail the test, so a
     * new style of registration cannot slip past it unseen. The catch-all {@code any(...)} is not an operation.
     */
    private record RouteRecorder(String prefix, Set<String> out) implements InvocationHandler {
        static HttpRouting.Builder create(String prefix, Set<String> out) {
            return (HttpRouting.Builder) Proxy.newProxyInstance(HttpRouting.Builder.class.getClassLoader(),
                    new Class<?>[]{HttpRouting.Builder.class}, new RouteRecorder(prefix, out));
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            Class<?>[] types = method.getParameterTypes();
            if (method.getDeclaringClass() == Object.class) {
                return switch (name) {
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> "RouteRecorder" + prefix;
                };
            }
            if (name.equals("route") && types.length == 3 && types[0] == io.helidon.http.Method.class
                    && types[1] == String.class && types[2] == Handler.class) {
                out.add(((io.helidon.http.Method) args[0]).text() + " " + prefix + args[1]);
                return proxy;
            }
            if (name.equals("register") && types.length == 1 && types[0] == HttpService[].class) {
                for (HttpService service : (HttpService[]) args[0]) {
                    service.routing(create(prefix, out));
                }
                return proxy;
            }
            if (name.equals("register") && types.length == 2 && types[0] == String.class
                    && types[1] == HttpService[].class) {
                for (HttpService service : (HttpService[]) args[1]) {
                    service.routing(create(prefix + args[0], out));
                }
                return proxy;
            }
            if (name.equals("any")) {
                return proxy;
            }
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            if (name.equals("route") || name.equals("register")) {
                throw new AssertionError("a route registered in a way this test cannot read: " + method);
            }
            if (method.getReturnType().isInstance(proxy)) {
                return proxy;
            }
            throw new AssertionError("unexpected routing call " + method);
        }
    }
}
