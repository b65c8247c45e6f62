package io.tollgate.admin.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.tollgate.common.json.Json;
import io.tollgate.common.problem.Problem;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/** Small pieces every REST resource shares: JSON bodies, ETags, request ids, JSON responses. */
public final class Api {
    public static final HeaderName IF_MATCH = HeaderNames.IF_MATCH;
    public static final HeaderName IDEMPOTENCY_KEY = HeaderNames.create("Idempotency-Key");
    public static final HeaderName REQUEST_ID = HeaderNames.create("X-Request-Id");
    public static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final Pattern WELL_FORMED_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private Api() {
    }

    /** The request id: a well-formed incoming X-Request-Id, else a new one; set once by the routing filter. */
    public static String requestId(ServerRequest req) {
        return req.context().get("tollgate.request-id", String.class).orElseGet(() -> {
            String id = req.headers().first(REQUEST_ID).filter(v -> WELL_FORMED_REQUEST_ID.matcher(v).matches())
                    .orElseGet(() -> UUID.randomUUID().toString());
            req.context().register("tollgate.request-id", id);
            return id;
        });
    }

    public static String clientIp(ServerRequest req) {
        SocketAddress address = req.remotePeer().address();
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return null;
    }

    /** The JSON object body: 415 unless JSON, 413 when over 1 MiB, 400 when it is not a JSON object. */
    public static ObjectNode body(ServerRequest req) {
        String type = req.headers().contentType().map(t -> t.mediaType().text().toLowerCase()).orElse("");
        if (!type.equals("application/json") && !type.equals("application/merge-patch+json")) {
            throw ProblemException.of(ProblemType.UNSUPPORTED_MEDIA_TYPE,
                    "send the body as application/json");
        }
        byte[] bytes;
        try (InputStream in = req.content().inputStream()) {
            bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        } catch (IOException e) {
            throw Input.malformed("the request body could not be read");
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw ProblemException.of(ProblemType.PAYLOAD_TOO_LARGE, "the body must be at most 1 MiB");
        }
        JsonNode node;
        try {
            node = Json.mapper().readTree(bytes);
        } catch (IOException e) {
            throw Input.malformed("the body is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw Input.malformed("the body must be a JSON object");
        }
        return (ObjectNode) node;
    }

    public static String etag(int rowVersion) {
        return "\"" + rowVersion + "\"";
    }

    /** 412 when the request carries If-Match and it names another version than the stored one. */
    public static void checkIfMatch(ServerRequest req, int rowVersion) {
        Optional<String> ifMatch = req.headers().first(IF_MATCH);
        if (ifMatch.isEmpty() || ifMatch.get().strip().equals("*")) {
            return;
        }
        String current = etag(rowVersion);
        for (String candidate : ifMatch.get().split(",")) {
            String tag = candidate.strip();
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            if (tag.equals(current)) {
                return;
            }
        }
        throw stale();
    }

    public static ProblemException stale() {
        return ProblemException.of(ProblemType.PRECONDITION_FAILED,
                "the resource was changed by someone else; fetch it again and retry");
    }

    public static void json(ServerResponse res, Status status, JsonNode body, String etag) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        if (etag != null) {
            res.header(HeaderNames.ETAG, etag);
        }
        res.send(bytes(body));
    }

    public static void ok(ServerResponse res, JsonNode body) {
        json(res, Status.OK_200, body, null);
    }

    public static byte[] bytes(JsonNode body) {
        try {
            return Json.mapper().writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String text(JsonNode body) {
        return new String(bytes(body), StandardCharsets.UTF_8);
    }

    public static UUID uuid(String value, String what) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw ProblemException.of(ProblemType.NOT_FOUND, "no " + what + " " + value);
        }
    }

    public static Problem notFound(String what) {
        return Problem.of(ProblemType.NOT_FOUND, "no such " + what);
    }
}
