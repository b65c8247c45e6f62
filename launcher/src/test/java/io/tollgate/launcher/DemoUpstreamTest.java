package io.tollgate.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.common.json.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

class DemoUpstreamTest {
    private final DemoUpstream upstream = DemoUpstream.start("127.0.0.1", 0);
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        upstream.stop();
    }

    @Test
    void answersWithWhatItReceivedAndEchoesTheRequestIdAndTraceContext() throws Exception {
        String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(upstream.url() + "/hello?a=1"))
                .header("X-Request-Id", "req-42").header("traceparent", traceparent).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.headers().firstValue("X-Request-Id")).hasValue("req-42");
        JsonNode body = Json.mapper().readTree(response.body());
        assertThat(body.path("service").asText()).isEqualTo("demo");
        assertThat(body.path("method").asText()).isEqualTo("GET");
        assertThat(body.path("path").asText()).isEqualTo("/hello");
        assertThat(body.path("query").asText()).isEqualTo("a=1");
        assertThat(body.path("request_id").asText()).isEqualTo("req-42");
        assertThat(body.path("traceparent").asText()).isEqualTo(traceparent);
    }

    @Test
    void answersWithoutARequestIdToo() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(upstream.url() + "/"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"x\":1}")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Request-Id")).isEmpty();
        assertThat(Json.mapper().readTree(response.body()).path("request_id").isNull()).isTrue();
    }
}
