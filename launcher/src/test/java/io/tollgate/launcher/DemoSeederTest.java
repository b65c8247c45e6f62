package io.tollgate.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.tollgate.common.json.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The seeder against a scripted admin API: which calls it makes on a first run and on a re-run. */
class DemoSeederTest {
    private static final String KEY = "tg_pub123_secretsecretsecret";

    private final FakeAdminApi api = new FakeAdminApi();

    @AfterEach
    void stop() {
        api.stop();
    }

    @Test
    void firstRunCreatesTenantServiceRouteAndKeyAndReturnsTheKey() {
        api.answer("POST /api/v1/tenants", 201, "{}");
        api.answer("POST /api/v1/tenants/demo/services", 201, "{\"id\":\"s1\"}");
        api.answer("POST /api/v1/tenants/demo/routes", 201, "{}");
        api.answer("POST /api/v1/tenants/demo/api-keys", 201, "{\"id\":\"k1\",\"public_id\":\"pub123\",\"key\":\"" + KEY + "\"}");

        String key = seeder().seed("http://127.0.0.1:8090");

        assertThat(key).isEqualTo(KEY);
        assertThat(api.calls()).containsExactly("POST /api/v1/tenants", "POST /api/v1/tenants/demo/services",
                "POST /api/v1/tenants/demo/routes", "POST /api/v1/tenants/demo/api-keys");
        JsonNode route = api.body("POST /api/v1/tenants/demo/routes");
        assertThat(route.path("paths").get(0).asText()).isEqualTo("/demo");
        assertThat(route.path("strip_prefix").asBoolean()).isTrue();
        assertThat(route.path("auth").asText()).isEqualTo("api-key");
        assertThat(route.path("service").asText()).isEqualTo(DemoSeeder.SERVICE);
        assertThat(api.body("POST /api/v1/tenants").path("slug").asText()).isEqualTo("demo");
        assertThat(api.body("POST /api/v1/tenants/demo/services").path("targets").get(0).path("url").asText())
                .isEqualTo("http://127.0.0.1:8090");
    }

    @Test
    void reRunReusesTheTenantAndMovesTheServiceToTodaysUpstreamPort() {
        api.answer("POST /api/v1/tenants", 409, "{\"type\":\"conflict\"}");
        api.answer("POST /api/v1/tenants/demo/services", 409, "{\"type\":\"conflict\"}");
        api.answer("GET /api/v1/tenants/demo/services", 200, "{\"items\":[{\"id\":\"s1\",\"name\":\"demo-upstream\","
                + "\"targets\":[{\"url\":\"http://127.0.0.1:1111\",\"weight\":1}]}],\"next_cursor\":null}");
        api.answer("GET /api/v1/tenants/demo/services/s1", 200, "{\"id\":\"s1\"}", "ETag", "\"v7\"");
        api.answer("PATCH /api/v1/tenants/demo/services/s1", 200, "{\"id\":\"s1\"}");
        api.answer("POST /api/v1/tenants/demo/routes", 409, "{\"type\":\"conflict\"}");
        api.answer("POST /api/v1/tenants/demo/api-keys", 201, "{\"key\":\"" + KEY + "\"}");

        String key = seeder().seed("http://127.0.0.1:2222");

        assertThat(key).isEqualTo(KEY);
        assertThat(api.body("PATCH /api/v1/tenants/demo/services/s1").path("targets").get(0).path("url").asText())
                .isEqualTo("http://127.0.0.1:2222");
        assertThat(api.header("PATCH /api/v1/tenants/demo/services/s1", "If-Match")).isEqualTo("\"v7\"");
    }

    @Test
    void reRunLeavesAServiceThatAlreadyTargetsTheUpstreamAlone() {
        api.answer("POST /api/v1/tenants", 409, "{}");
        api.answer("POST /api/v1/tenants/demo/services", 409, "{}");
        api.answer("GET /api/v1/tenants/demo/services", 200, "{\"data\":[{\"id\":\"s1\",\"name\":\"demo-upstream\","
                + "\"targets\":[{\"url\":\"http://127.0.0.1:2222\",\"weight\":1}]}]}");
        api.answer("POST /api/v1/tenants/demo/routes", 409, "{}");
        api.answer("POST /api/v1/tenants/demo/api-keys", 201, "{\"key\":\"" + KEY + "\"}");

        seeder().seed("http://127.0.0.1:2222");

        assertThat(api.calls()).noneMatch(call -> call.startsWith("PATCH"));
    }

    @Test
    void aRefusedCallStopsSeedingWithTheProblemTheApiSent() {
        api.answer("POST /api/v1/tenants", 403, "{\"type\":\"forbidden\",\"title\":\"Forbidden\"}");

        assertThatThrownBy(() -> seeder().seed("http://127.0.0.1:2222"))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("POST /tenants answered 403")
                .hasMessageContaining("forbidden");
    }

    @Test
    void wrongAdminPasswordSaysWhatToDo() {
        api.answer("POST /api/v1/auth/token", 401, "{\"type\":\"unauthenticated\"}");
        AdminApiClient client = new AdminApiClient(api.base());

        assertThatThrownBy(() -> client.authenticate("admin@example.com", "wrong"))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("TOLLGATE_BOOTSTRAP_ADMIN_PASSWORD");
    }

    @Test
    void everyCallAfterTheTokenCarriesIt() {
        api.answer("POST /api/v1/auth/token", 200, "{\"access_token\":\"t0k\",\"token_type\":\"Bearer\",\"expires_in\":60}");
        api.answer("POST /api/v1/tenants", 201, "{}");
        AdminApiClient client = new AdminApiClient(api.base());

        client.authenticate("admin@example.com", "pw");
        client.post("/tenants", Json.mapper().createObjectNode());

        assertThat(api.header("POST /api/v1/tenants", "Authorization")).isEqualTo("Bearer t0k");
    }

    private DemoSeeder seeder() {
        return new DemoSeeder(new AdminApiClient(api.base()));
    }

    /** Answers scripted replies by "METHOD path" and records what it was sent. */
    private static final class FakeAdminApi {
        private record Answer(int status, String body, Map<String, String> headers) {
        }

        private record Call(String name, String body, Map<String, List<String>> headers) {
        }

        private final Map<String, Answer> answers = new ConcurrentHashMap<>();
        private final List<Call> calls = new CopyOnWriteArrayList<>();
        private final HttpServer server;

        FakeAdminApi() {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/", exchange -> {
                try (exchange) {
                    String name = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
                    calls.add(new Call(name, new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
                            Map.copyOf(exchange.getRequestHeaders())));
                    Answer answer = answers.getOrDefault(name, new Answer(404, "{\"type\":\"not-found\"}", Map.of()));
                    answer.headers().forEach((header, value) -> exchange.getResponseHeaders().set(header, value));
                    byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(answer.status(), bytes.length);
                    exchange.getResponseBody().write(bytes);
                }
            });
            server.start();
        }

        String base() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1";
        }

        void answer(String call, int status, String body, String... headers) {
            Map<String, String> headerMap = headers.length == 0 ? Map.of() : Map.of(headers[0], headers[1]);
            answers.put(call, new Answer(status, body, headerMap));
        }

        List<String> calls() {
            return calls.stream().map(Call::name).toList();
        }

        JsonNode body(String name) {
            return calls.stream().filter(call -> call.name().equals(name)).findFirst()
                    .map(call -> {
                        try {
                            return Json.mapper().readTree(call.body());
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }).orElseThrow(() -> new AssertionError("no call " + name + " in " + calls()));
        }

        String header(String name, String header) {
            return calls.stream().filter(call -> call.name().equals(name)).findFirst()
                    .map(call -> call.headers().entrySet().stream()
                            .filter(entry -> entry.getKey().equalsIgnoreCase(header))
                            .map(entry -> entry.getValue().getFirst()).findFirst().orElse(null))
                    .orElseThrow(() -> new AssertionError("no call " + name + " in " + calls()));
        }

        void stop() {
            server.stop(0);
        }
    }
}
