package io.tollgate.gateway;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** With TOLLGATE_CLIENT_IP_MODE=truncate the access log keeps only the client's /24. */
class ClientIpPrivacyTest {
    @TempDir
    static Path dir;
    static GatewayServer gateway;
    static Upstream upstream;

    @BeforeAll
    static void start() throws IOException {
        upstream = Upstream.answering(exchange -> Upstream.send(exchange, 200, "{}"));
        gateway = Gateways.start(dir.resolve("snapshot.json"), Map.of("TOLLGATE_CLIENT_IP_MODE", "truncate"));
    }

    @AfterAll
    static void stop() {
        gateway.stop();
        upstream.close();
    }

    @Test
    void accessLogLinesCarryTheTruncatedAddress() throws IOException {
        var t = Seed.tenant();
        t.route(t.service(upstream.url()), "/private", "none");
        Gateways.awaitVersion(gateway, t.save());
        try (var logs = Gateways.CapturedLogs.install()) {
            RawHttp.get(gateway.port(), t.host, "/private");
            Gateways.await("an access-log line", () -> logs.lines.stream()
                    .anyMatch(l -> l.startsWith("tollgate.access") && l.contains("/private")));
            assertThat(logs.lines).filteredOn(l -> l.startsWith("tollgate.access") && l.contains("/private"))
                    .allSatisfy(l -> assertThat(l).contains("\"client\":\"127.0.0.0\"")
                            .doesNotContain("\"client\":\"127.0.0.1\""));
        }
    }
}
