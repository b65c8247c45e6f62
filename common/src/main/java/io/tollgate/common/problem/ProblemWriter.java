package io.tollgate.common.problem;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.tollgate.common.json.Json;

import java.nio.charset.StandardCharsets;

/** The one writer of {@code application/problem+json}, shared by the gateway and the admin API. */
public final class ProblemWriter {
    public static final String MEDIA_TYPE = "application/problem+json";

    private ProblemWriter() {
    }

    public static byte[] body(Problem problem) {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("type", problem.type().uri().toString());
        node.put("title", problem.type().title());
        node.put("status", problem.status());
        if (problem.detail() != null) {
            node.put("detail", problem.detail());
        }
        if (problem.instance() != null) {
            node.put("instance", problem.instance());
        }
        if (!problem.errors().isEmpty()) {
            ArrayNode errors = node.putArray("errors");
            for (Problem.FieldError error : problem.errors()) {
                errors.addObject().put("field", error.field()).put("message", error.message());
            }
        }
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static void write(ServerResponse res, Problem problem) {
        res.status(Status.create(problem.status()));
        problem.headers().forEach((name, value) -> res.header(HeaderNames.create(name), value));
        res.header(HeaderNames.CONTENT_TYPE, MEDIA_TYPE);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(body(problem));
    }
}
