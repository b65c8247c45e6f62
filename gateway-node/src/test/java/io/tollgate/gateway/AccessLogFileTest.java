package io.tollgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.common.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** TOLLGATE_ACCESS_LOG=<file>: one bare JSON line per request, appended, written off the request path. */
class AccessLogFileTest {
    @TempDir
    Path dir;

    @Test
    void everyRequestAppendsOneJsonLineToTheFile() throws IOException {
        Path file = dir.resolve("logs").resolve("access.log");
        try (Upstream upstream = Upstream.answering(exchange -> Upstream.send(exchange, 200, "{}"))) {
            GatewayServer gateway = Gateways.start(dir.resolve("snapshot.json"),
                    Map.of("TOLLGATE_ACCESS_LOG", file.toString()));
            try {
                var t = Seed.tenant();
                t.route(t.service(upstream.url()), "/logged-to-file", "none");
                Gateways.awaitVersion(gateway, t.save());
                for (int i = 0; i < 20; i++) {
                    RawHttp.get(gateway.port(), t.host, "/logged-to-file/" + i + "?secret=hunter2");
                }
                Gateways.await("20 lines in the file", () -> lines(file).size() >= 20);
                List<String> lines = lines(file);
                assertThat(lines).hasSize(20);
                // one line per request; a line is written when its exchange completes, which can be just after the
                // client already has the answer and sent the next request, so the order is not asserted
                java.util.Set<String> paths = new java.util.HashSet<>();
                for (int i = 0; i < lines.size(); i++) {
                    JsonNode line = Json.mapper().readTree(lines.get(i));
                    paths.add(line.get("path").asText());
                    assertThat(line.get("status").asInt()).isEqualTo(200);
                    assertThat(line.get("tenant").asText()).isEqualTo(t.slug);
                    assertThat(line.get("total_ms").isNumber()).isTrue();
                    assertThat(lines.get(i)).doesNotContain("hunter2");
                }
                assertThat(paths).hasSize(20).allMatch(p -> p.matches("/logged-to-file/([0-9]|1[0-9])"));
            } finally {
                gateway.stop();
            }
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }
}
