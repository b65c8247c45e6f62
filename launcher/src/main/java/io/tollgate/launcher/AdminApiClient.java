package io.tollgate.launcher;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.tollgate.common.json.Json;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** A plain HTTP client of the admin REST API, used exactly as an operator's script would use it. */
final class AdminApiClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final String base;
    private String bearer;

    /** {@code base} is the API root, e.g. {@code http://127.0.0.1:8081/api/v1}. */
    AdminApiClient(String base) {
        this.base = base;
    }

    record Reply(int status, JsonNode body, Optional<String> etag) {
        boolean is(int expected) {
            return status == expected;
        }
    }

    void authenticate(String email, String password) {
        Reply reply = post("/auth/token", Json.mapper().createObjectNode().put("email", email).put("password", password));
        if (reply.status() == 401) {
            throw new LaunchException("The admin API refused " + email + " (401). The database already has a platform "
                    + "admin with another password: set TOLLGATE_BOOTSTRAP_ADMIN_EMAIL/TOLLGATE_BOOTSTRAP_ADMIN_PASSWORD "
                    + "to that admin (dev keeps generated ones in ~/.tollgate/dev-credentials.properties), or start "
                    + "from an empty dev database.");
        }
        expect(reply, "POST /auth/token", 200);
        bearer = reply.body().path("access_token").asText();
    }

    Reply get(String path) {
        return send(request(path).GET());
    }

    Reply post(String path, JsonNode body) {
        return send(request(path).header("Content-Type", "application/json").POST(json(body)));
    }

    Reply patch(String path, JsonNode body, Optional<String> ifMatch) {
        HttpRequest.Builder builder = request(path).header("Content-Type", "application/json")
                .method("PATCH", json(body));
        ifMatch.ifPresent(etag -> builder.header("If-Match", etag));
        return send(builder);
    }

    /** Fails with the method, path, status and the problem document the API sent, unless the status is expected. */
    static Reply expect(Reply reply, String what, int... expected) {
        for (int status : expected) {
            if (reply.status() == status) {
                return reply;
            }
        }
        throw new LaunchException(what + " answered " + reply.status() + ": " + reply.body());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT)
                .header("Accept", "application/json");
        if (bearer != null) {
            builder.header("Authorization", "Bearer " + bearer);
        }
        return builder;
    }

    private Reply send(HttpRequest.Builder builder) {
        HttpRequest request = builder.build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), parse(response.body()), response.headers().firstValue("ETag"));
        } catch (IOException e) {
            throw new LaunchException(request.method() + " " + request.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("interrupted while calling the admin API", e);
        }
    }

    private static HttpRequest.BodyPublisher json(JsonNode body) {
        try {
            return HttpRequest.BodyPublishers.ofString(Json.mapper().writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return Json.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            return Json.mapper().getNodeFactory().textNode(text);
        }
    }
}
