package io.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.common.json.Json;
import io.tollgate.db.Database;
import io.tollgate.db.testing.TestDatabase;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real admin server on an ephemeral port over this JVM's own test database, plus a small HTTP client that
 * speaks JSON. One per test JVM; tests isolate with unique tenant slugs and emails.
 */
public final class AdminFixture {
    public static final String ADMIN_EMAIL = "root@tollgate.test";
    public static final String ADMIN_PASSWORD = "bootstrap-password-1";
    public static final String JWT_SECRET = "test-secret-test-secret-test-secret-0123456789";
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static AdminFixture instance;

    private final AdminServer server;
    private final Database db;
    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private String rootToken;

    private AdminFixture() {
        var settings = TestDatabase.settings(Map.of(
                "TOLLGATE_ADMIN_PORT", "0",
                "TOLLGATE_BIND_HOST", "127.0.0.1",
                "TOLLGATE_JWT_SECRET", JWT_SECRET,
                "TOLLGATE_BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL,
                "TOLLGATE_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD,
                "TOLLGATE_MIGRATE_ON_START", "false"));
        this.server = AdminServer.start(settings);
        this.db = Database.open(settings, "tollgate-test");
        this.base = "http://127.0.0.1:" + server.port() + "/api/v1";
    }

    public static synchronized AdminFixture get() {
        if (instance == null) {
            instance = new AdminFixture();
        }
        return instance;
    }

    public Database db() {
        return db;
    }

    public String base() {
        return base;
    }

    /** A name no other test uses, safe for slugs, emails and route paths. */
    public static String unique(String prefix) {
        return prefix + "-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36) + SEQ.incrementAndGet();
    }

    public synchronized String rootToken() {
        if (rootToken == null) {
            rootToken = signIn(ADMIN_EMAIL, ADMIN_PASSWORD);
        }
        return rootToken;
    }

    public String signIn(String email, String password) {
        Reply r = call("POST", "/auth/token", null, json("email", email, "password", password), Map.of());
        if (r.status() != 200) {
            throw new IllegalStateException("sign-in failed: " + r);
        }
        return r.json().get("access_token").asText();
    }

    /** Creates a tenant with a default plan; returns its slug. */
    public String tenant() {
        String slug = unique("t");
        Reply r = call("POST", "/tenants", rootToken(), json("slug", slug, "name", "Tenant " + slug), Map.of());
        if (r.status() != 201) {
            throw new IllegalStateException("tenant create failed: " + r);
        }
        return slug;
    }

    /** Creates a user with one grant and signs it in; returns its token. */
    public String userToken(String role, String tenantSlug) {
        String email = unique("u") + "@tollgate.test";
        ObjectNode body = json("email", email, "password", "user-password-123");
        var grant = body.putArray("grants").addObject().put("role", role);
        if (tenantSlug != null) {
            grant.put("tenant", tenantSlug);
        }
        Reply r = call("POST", "/users", rootToken(), body, Map.of());
        if (r.status() != 201) {
            throw new IllegalStateException("user create failed: " + r);
        }
        return signIn(email, "user-password-123");
    }

    public Reply call(String method, String path, String token, JsonNode body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        headers.forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body.toString()));
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

    public Reply get(String path, String token) {
        return call("GET", path, token, null, Map.of());
    }

    public Reply post(String path, String token, JsonNode body) {
        return call("POST", path, token, body, Map.of());
    }

    public Reply patch(String path, String token, JsonNode body) {
        return call("PATCH", path, token, body, Map.of());
    }

    public Reply delete(String path, String token) {
        return call("DELETE", path, token, null, Map.of());
    }

    public static ObjectNode json(Object... pairs) {
        ObjectNode node = Json.mapper().createObjectNode();
        for (int i = 0; i < pairs.length; i += 2) {
            node.set((String) pairs[i], Json.mapper().valueToTree(pairs[i + 1]));
        }
        return node;
    }

    /** Creates a service and a route in the tenant; returns the route JSON. */
    public JsonNode serviceAndRoute(String token, String slug) {
        String svc = unique("svc");
        Reply s = post("/tenants/" + slug + "/services", token, json("name", svc, "language", "go",
                "targets", new Object[]{Map.of("url", "http://127.0.0.1:9", "weight", 1)}));
        if (s.status() != 201) {
            throw new IllegalStateException("service create failed: " + s);
        }
        Reply r = post("/tenants/" + slug + "/routes", token, json("name", unique("route"), "service", svc,
                "paths", new String[]{"/" + unique("p")}, "methods", new String[]{"GET"}));
        if (r.status() != 201) {
            throw new IllegalStateException("route create failed: " + r);
        }
        return r.json();
    }

    public record Reply(int status, String body, Map<String, java.util.List<String>> headers) {
        public JsonNode json() {
            try {
                return Json.mapper().readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON: " + body, e);
            }
        }

        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst()).findFirst().orElse(null);
        }

        /** The slug of the problem type, for asserting on the kind of error. */
        public String problemType() {
            String type = json().path("type").asText();
            return type.substring(type.lastIndexOf('/') + 1);
        }
    }

    static Map<String, String> headers(String... pairs) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put(pairs[i], pairs[i + 1]);
        }
        return out;
    }

    static UUID uuid(JsonNode node) {
        return UUID.fromString(node.get("id").asText());
    }
}
