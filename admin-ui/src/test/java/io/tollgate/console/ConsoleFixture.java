package io.tollgate.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.admin.AdminServer;
import io.tollgate.common.json.Json;
import io.tollgate.db.Database;
import io.tollgate.db.testing.TestDatabase;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The admin with the console on an ephemeral port over this JVM's test database, plus a JSON client of the REST
 * API for seeding (tenants, users) so browser tests start from a known state. One per test JVM; tests isolate
 * with unique slugs and emails.
 */
public final class ConsoleFixture {
    public static final String ADMIN_EMAIL = "root@tollgate.test";
    public static final String ADMIN_PASSWORD = "bootstrap-password-1";
    public static final String USER_PASSWORD = "user-password-123";
    static final String JWT_SECRET = "test-secret-test-secret-test-secret-0123456789";
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static ConsoleFixture instance;

    private final AdminServer server;
    private final Database db;
    private final HttpClient http;
    private final StubGateway gateway;
    private final String base;
    private String rootToken;

    private ConsoleFixture() {
        var settings = TestDatabase.settings(Map.of(
                "TOLLGATE_ADMIN_PORT", "0",
                "TOLLGATE_BIND_HOST", "127.0.0.1",
                "TOLLGATE_JWT_SECRET", JWT_SECRET,
                "TOLLGATE_BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL,
                "TOLLGATE_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD,
                "TOLLGATE_MIGRATE_ON_START", "false"));
        this.gateway = StubGateway.start();
        this.server = ConsoleServer.start(settings, Map.of("TOLLGATE_CONSOLE_GATEWAY_URL", gateway.url()));
        this.http = HttpClient.newHttpClient();
        this.db = Database.open(settings, "tollgate-console-test");
        this.base = "http://127.0.0.1:" + server.port();
    }

    /** Where "try this route" sends requests: a stand-in for a gateway node (see {@link StubGateway}). */
    public StubGateway gateway() {
        return gateway;
    }

    public static synchronized ConsoleFixture get() {
        if (instance == null) {
            instance = new ConsoleFixture();
        }
        return instance;
    }

    public String base() {
        return base;
    }

    public Database db() {
        return db;
    }

    public static String unique(String prefix) {
        return prefix + "-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36) + SEQ.incrementAndGet();
    }

    public synchronized String rootToken() {
        if (rootToken == null) {
            JsonNode r = call("POST", "/api/v1/auth/token", null, json("email", ADMIN_EMAIL, "password", ADMIN_PASSWORD), 200);
            rootToken = r.get("access_token").asText();
        }
        return rootToken;
    }

    /** A new tenant; returns its slug. */
    public String tenant() {
        String slug = unique("t");
        call("POST", "/api/v1/tenants", rootToken(), json("slug", slug, "name", "Tenant " + slug), 201);
        return slug;
    }

    /** A new user with one grant (tenant may be null); returns its email. Password: {@link #USER_PASSWORD}. */
    public String user(String role, String tenantSlug) {
        String email = unique("u") + "@tollgate.test";
        ObjectNode body = json("email", email, "password", USER_PASSWORD);
        var grant = body.putArray("grants").addObject().put("role", role);
        if (tenantSlug != null) {
            grant.put("tenant", tenantSlug);
        }
        call("POST", "/api/v1/users", rootToken(), body, 201);
        return email;
    }

    public JsonNode call(String method, String path, String token, JsonNode body, int expect) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body.toString()));
        try {
            HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != expect) {
                throw new IllegalStateException(method + " " + path + " answered " + res.statusCode() + ": " + res.body());
            }
            return res.body().isEmpty() ? null : Json.mapper().readTree(res.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static ObjectNode json(Object... pairs) {
        ObjectNode node = Json.mapper().createObjectNode();
        for (int i = 0; i < pairs.length; i += 2) {
            node.set((String) pairs[i], Json.mapper().valueToTree(pairs[i + 1]));
        }
        return node;
    }
}
