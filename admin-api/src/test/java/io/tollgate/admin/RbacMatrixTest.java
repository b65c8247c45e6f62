package io.tollgate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.admin.auth.Principal;
import io.tollgate.admin.auth.TokenSigner;
import io.tollgate.db.store.ConfigStateStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

import static io.tollgate.admin.AdminFixture.json;
import static io.tollgate.admin.AdminFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every endpoint against every kind of caller. Each case runs in a fresh tenant A (with its own tenant admin and
 * tenant auditor) next to a shared tenant B. Allowed callers get through authorization; everyone else is refused
 * (401 without a valid token, 403 otherwise) and the refused call changes nothing.
 */
class RbacMatrixTest {
    enum Role { PLATFORM_ADMIN, TENANT_ADMIN_A, TENANT_ADMIN_B, AUDITOR, AUDITOR_A, NO_TOKEN, EXPIRED_TOKEN, FORGED_TOKEN }

    private static final Set<Role> ANYONE = EnumSet.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN_A, Role.TENANT_ADMIN_B,
            Role.AUDITOR, Role.AUDITOR_A);
    private static final Set<Role> PLATFORM = EnumSet.of(Role.PLATFORM_ADMIN);
    private static final Set<Role> ADMINS_OF_A = EnumSet.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN_A);
    private static final Set<Role> READERS_OF_A = EnumSet.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN_A, Role.AUDITOR,
            Role.AUDITOR_A);

    private static final AdminFixture admin = AdminFixture.get();
    private static final String TENANT_B = admin.tenant();
    private static final String TENANT_ADMIN_B = admin.userToken("tenant-admin", TENANT_B);
    private static final String PLATFORM_AUDITOR = admin.userToken("auditor", null);

    /** One case's world: a fresh tenant A with a service, a route, a key, a user and a token in it. */
    record World(String a, JsonNode service, JsonNode route, JsonNode key, JsonNode user, JsonNode token) {
    }

    record Op(String name, String method, Function<World, String> path, Function<World, JsonNode> body,
              Set<Role> allowed) {
        @Override
        public String toString() {
            return method + " " + name;
        }
    }

    static List<Op> operations() {
        List<Op> ops = new ArrayList<>();
        ops.add(new Op("/tenants", "POST", w -> "/tenants", w -> json("slug", unique("n"), "name", "N"), PLATFORM));
        ops.add(new Op("/tenants", "GET", w -> "/tenants", w -> null, ANYONE));
        ops.add(new Op("/tenants/{a}", "GET", w -> "/tenants/" + w.a(), w -> null, READERS_OF_A));
        ops.add(new Op("/tenants/{a}", "PATCH", w -> "/tenants/" + w.a(), w -> json("name", "Renamed"), PLATFORM));
        ops.add(new Op("/tenants/{a}", "DELETE", w -> "/tenants/" + w.a(), w -> null, PLATFORM));
        for (String kind : List.of("services", "routes", "api-keys")) {
            Function<World, String> one = w -> "/tenants/" + w.a() + "/" + kind + "/" + switch (kind) {
                case "services" -> w.service().get("id").asText();
                case "routes" -> w.route().get("id").asText();
                default -> w.key().get("id").asText();
            };
            Function<World, JsonNode> create = w -> switch (kind) {
                case "services" -> json("name", unique("s"), "targets", new Object[]{Map.of("url", "http://127.0.0.1:9")});
                case "routes" -> json("name", unique("r"), "service", w.service().get("name").asText(),
                        "paths", new String[]{"/" + unique("p")});
                default -> json("name", unique("k"));
            };
            ops.add(new Op("/tenants/{a}/" + kind, "POST", w -> "/tenants/" + w.a() + "/" + kind, create, ADMINS_OF_A));
            ops.add(new Op("/tenants/{a}/" + kind, "GET", w -> "/tenants/" + w.a() + "/" + kind, w -> null, READERS_OF_A));
            ops.add(new Op("/tenants/{a}/" + kind + "/{id}", "GET", one, w -> null, READERS_OF_A));
            ops.add(new Op("/tenants/{a}/" + kind + "/{id}", "PATCH", one, w -> json("name", unique("renamed")), ADMINS_OF_A));
            if (!kind.equals("services")) {
                ops.add(new Op("/tenants/{a}/" + kind + "/{id}", "DELETE", one, w -> null, ADMINS_OF_A));
            }
        }
        ops.add(new Op("/tenants/{a}/routes/{id}/cache/purge", "POST",
                w -> "/tenants/" + w.a() + "/routes/" + w.route().get("id").asText() + "/cache/purge", w -> null,
                ADMINS_OF_A));
        ops.add(new Op("/users", "POST", w -> "/users", w -> json("email", unique("x") + "@t.io", "password",
                "a-long-password"), PLATFORM));
        ops.add(new Op("/users", "GET", w -> "/users", w -> null, PLATFORM));
        ops.add(new Op("/users/{id}", "GET", w -> "/users/" + w.user().get("id").asText(), w -> null, PLATFORM));
        ops.add(new Op("/users/{id}", "PATCH", w -> "/users/" + w.user().get("id").asText(),
                w -> json("display_name", "X"), PLATFORM));
        ops.add(new Op("/users/{id}", "DELETE", w -> "/users/" + w.user().get("id").asText(), w -> null, PLATFORM));
        ops.add(new Op("/tokens", "POST", w -> "/tokens", w -> json("name", "ci", "role", "tenant-admin", "tenant", w.a()),
                ADMINS_OF_A));
        ops.add(new Op("/tokens", "GET", w -> "/tokens", w -> null, EnumSet.of(Role.PLATFORM_ADMIN, Role.TENANT_ADMIN_A,
                Role.TENANT_ADMIN_B)));
        ops.add(new Op("/tokens/{id}", "DELETE", w -> "/tokens/" + w.token().get("id").asText(), w -> null, ADMINS_OF_A));
        ops.add(new Op("/tenants/{a}/config", "GET", w -> "/tenants/" + w.a() + "/config", w -> null, READERS_OF_A));
        ops.add(new Op("/tenants/{a}/config", "POST", w -> "/tenants/" + w.a() + "/config",
                w -> json("services", List.of(Map.of("name", unique("s"), "targets",
                        List.of(Map.of("url", "http://127.0.0.1:9")))), "routes", List.of(Map.of("name",
                        w.route().get("name").asText(), "service", w.service().get("name").asText(),
                        "paths", w.route().get("paths")))), ADMINS_OF_A));
        ops.add(new Op("/config", "GET", w -> "/config", w -> null, PLATFORM));
        ops.add(new Op("/config.schema.json", "GET", w -> "/config.schema.json", w -> null, EnumSet.allOf(Role.class)));
        ops.add(new Op("/nodes", "GET", w -> "/nodes", w -> null, EnumSet.of(Role.PLATFORM_ADMIN, Role.AUDITOR)));
        ops.add(new Op("/audit-events", "GET", w -> "/audit-events", w -> null,
                EnumSet.of(Role.PLATFORM_ADMIN, Role.AUDITOR, Role.AUDITOR_A)));
        return ops;
    }

    static Stream<Arguments> cases() {
        return operations().stream().flatMap(op -> Stream.of(Role.values()).map(role -> Arguments.of(op, role)));
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("cases")
    void everyEndpointAdmitsOnlyItsRoles(Op op, Role role) {
        World w = world();
        String token = token(role, w.a());
        long before = new ConfigStateStore(admin.db().dsl()).version();
        var reply = admin.call(op.method(), op.path().apply(w), token, op.body().apply(w), Map.of());
        if (op.allowed().contains(role)) {
            assertThat(reply.status()).as(reply.body()).isBetween(200, 299);
        } else {
            int expected = EnumSet.of(Role.NO_TOKEN, Role.EXPIRED_TOKEN, Role.FORGED_TOKEN).contains(role) ? 401 : 403;
            assertThat(reply.status()).as(reply.body()).isEqualTo(expected);
            assertThat(reply.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(new ConfigStateStore(admin.db().dsl()).version()).as("a refused call changes nothing")
                    .isEqualTo(before);
        }
    }

    @ParameterizedTest(name = "{0} as tenant admin of B")
    @MethodSource("tenantAOnly")
    void tenantAdminOfBNeverSeesAnythingOfA(Op op) {
        World w = world();
        var reply = admin.call(op.method(), op.path().apply(w), TENANT_ADMIN_B, null, Map.of());
        assertThat(reply.body()).doesNotContain(w.a());
        if (op.path().apply(w).equals("/tenants")) {
            assertThat(reply.json().get("items").findValuesAsText("slug")).containsExactly(TENANT_B);
        }
    }

    static Stream<Op> tenantAOnly() {
        return operations().stream().filter(op -> op.method().equals("GET"));
    }

    private static World world() {
        String a = admin.tenant();
        String root = admin.rootToken();
        JsonNode route = admin.serviceAndRoute(root, a);
        JsonNode service = admin.get("/tenants/" + a + "/services/" + route.get("service_id").asText(), root).json();
        JsonNode key = admin.post("/tenants/" + a + "/api-keys", root, json("name", "k")).json();
        JsonNode user = admin.post("/users", root, json("email", unique("v") + "@t.io", "password", "a-long-password")).json();
        JsonNode token = admin.post("/tokens", root, json("name", "t", "role", "tenant-admin", "tenant", a)).json();
        return new World(a, service, route, key, user, token);
    }

    private static String token(Role role, String a) {
        return switch (role) {
            case PLATFORM_ADMIN -> admin.rootToken();
            case TENANT_ADMIN_A -> admin.userToken("tenant-admin", a);
            case TENANT_ADMIN_B -> TENANT_ADMIN_B;
            case AUDITOR -> PLATFORM_AUDITOR;
            case AUDITOR_A -> admin.userToken("auditor", a);
            case NO_TOKEN -> null;
            case EXPIRED_TOKEN -> new TokenSigner(AdminFixture.JWT_SECRET, Clock.fixed(Instant.now().minusSeconds(7200),
                    java.time.ZoneOffset.UTC)).sign(Principal.Kind.USER, rootId(), UUID.randomUUID(),
                    Instant.now().minusSeconds(3600));
            case FORGED_TOKEN -> new TokenSigner("another-secret-another-secret-another-secret", Clock.systemUTC())
                    .sign(Principal.Kind.USER, rootId(), UUID.randomUUID(), Instant.now().plusSeconds(3600));
        };
    }

    private static UUID rootId() {
        return UUID.fromString(admin.get("/users?limit=1", admin.rootToken()).json().at("/items/0/id").asText());
    }
}
