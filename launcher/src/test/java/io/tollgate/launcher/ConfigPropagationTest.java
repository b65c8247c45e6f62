package io.tollgate.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.tollgate.admin.AdminServer;
import io.tollgate.common.json.Json;
import io.tollgate.common.settings.Settings;
import io.tollgate.db.testing.TestDatabase;
import io.tollgate.gateway.GatewayServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The declarative workflow end to end: {@code tollgate config apply} run as its own process against a real admin
 * server, and a gateway node (polling only once a minute, so only the change notification can bring the change)
 * serving the applied route with the key the apply created. Prints how long the change took to be served.
 */
class ConfigPropagationTest {
    private static final String JWT_SECRET = "propagation-secret-propagation-secret-0123";
    private static final String EMAIL = "config-propagation@tollgate.test";
    private static final String PASSWORD = "config-propagation-password";

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Runnable> stops = new ArrayList<>();

    @AfterEach
    void stopAll() {
        stops.reversed().forEach(Runnable::run);
    }

    @Test
    void anAppliedDocumentIsServedByARunningNode(@TempDir Path dir) throws Exception {
        HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", exchange -> {
            byte[] body = ("upstream saw " + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
        stops.add(() -> upstream.stop(0));

        Settings adminSettings = TestDatabase.settings(Map.of("TOLLGATE_ADMIN_PORT", "0",
                "TOLLGATE_BIND_HOST", "127.0.0.1", "TOLLGATE_JWT_SECRET", JWT_SECRET,
                "TOLLGATE_BOOTSTRAP_ADMIN_EMAIL", EMAIL, "TOLLGATE_BOOTSTRAP_ADMIN_PASSWORD", PASSWORD,
                "TOLLGATE_MIGRATE_ON_START", "false"));
        AdminServer admin = AdminServer.start(adminSettings);
        stops.add(admin::stop);
        GatewayServer gateway = GatewayServer.start(TestDatabase.settings(Map.of("TOLLGATE_GATEWAY_PORT", "0",
                "TOLLGATE_MGMT_PORT", "0", "TOLLGATE_BIND_HOST", "127.0.0.1", "TOLLGATE_CONFIG_POLL_MS", "60000",
                "TOLLGATE_CONFIG_LISTEN", "true", "TOLLGATE_SNAPSHOT_FILE", dir.resolve("snapshot").toString())));
        stops.add(gateway::stop);

        String server = "http://127.0.0.1:" + admin.port();
        String token = post(server + "/api/v1/auth/token", null,
                "{\"email\":\"" + EMAIL + "\",\"password\":\"" + PASSWORD + "\"}").path("access_token").asText();
        String slug = "prop-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
        post(server + "/api/v1/tenants", token, "{\"slug\":\"" + slug + "\",\"name\":\"Propagation\"}");
        awaitReady(gateway);

        Path file = dir.resolve(slug + ".yaml");
        Files.writeString(file, """
                format: tollgate.config/v1
                tenant:
                  slug: %s
                services:
                  - name: orders
                    targets:
                      - url: http://127.0.0.1:%d
                routes:
                  - name: orders
                    service: orders
                    paths: [/%s]
                    strip_prefix: true
                api_keys:
                  - name: ci-client
                    allowed_routes: [orders]
                """.formatted(slug, upstream.getAddress().getPort(), slug));
        Path keys = dir.resolve("keys.ndjson");

        Run diff = cli(token, "diff", "-f", file.toString(), "--server", server);
        assertThat(diff.exit()).as(diff.output()).isEqualTo(2);
        assertThat(diff.output()).contains("+ route orders", "+ api_key ci-client", "3 to create");

        Run apply = cli(token, "apply", "-f", file.toString(), "--server", server, "--keys-out", keys.toString());
        long appliedAt = System.nanoTime();
        assertThat(apply.exit()).as(apply.output()).isEqualTo(2);
        assertThat(apply.output()).doesNotContain(token).doesNotContain("tg_");
        String key = Json.mapper().readTree(Files.readAllLines(keys).getFirst()).path("key").asText();

        HttpResponse<String> served = null;
        long deadline = appliedAt + 10_000_000_000L; // a liveness bound; the figure is printed below
        while (System.nanoTime() < deadline) {
            served = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/" + slug
                    + "/42")).header("X-API-Key", key).build(), HttpResponse.BodyHandlers.ofString());
            if (served.statusCode() == 200) {
                break;
            }
            Thread.sleep(10);
        }
        long millis = (System.nanoTime() - appliedAt) / 1_000_000;
        System.out.println("config propagation: apply process exited -> gateway served the new route in " + millis
                + " ms (poll interval 60 s, so by LISTEN/NOTIFY)");
        assertThat(served).isNotNull();
        assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
        assertThat(served.body()).isEqualTo("upstream saw /42");

        Run again = cli(token, "diff", "-f", file.toString(), "--server", server);
        assertThat(again.exit()).as(again.output()).isZero();
        Files.writeString(file, Files.readString(file).replace("paths: [", "paths: [no-slash, "));
        Run broken = cli(token, "apply", "-f", file.toString(), "--server", server);
        assertThat(broken.exit()).as(broken.output()).isEqualTo(1);
        assertThat(broken.output()).contains("/routes/0/paths/0");
    }

    private record Run(int exit, String output) {
    }

    /** {@code tollgate config ...} as a child JVM on this test's class path, token in its environment only. */
    private static Run cli(String token, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), Main.class.getName(), "config"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("TOLLGATE_TOKEN", token);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(process.waitFor(), output);
    }

    private JsonNode post(String url, String token, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() >= 300) {
            fail("POST " + url + " answered " + res.statusCode() + ": " + res.body());
        }
        return Json.mapper().readTree(res.body());
    }

    private void awaitReady(GatewayServer gateway) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + gateway.mgmtPort() + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                return;
            }
            Thread.sleep(20);
        }
        fail("the gateway did not become ready");
    }
}
