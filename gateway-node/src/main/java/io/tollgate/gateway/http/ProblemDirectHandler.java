package io.tollgate.gateway.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.tollgate.common.problem.Problem;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.common.problem.ProblemWriter;

import java.util.UUID;

/**
 * Requests Helidon refuses before any handler runs (unparsable request line or headers, headers too large, bad
 * framing) still get Tollgate's problem+json with a request id. Helidon's message is never echoed: it can quote
 * the request.
 */
final class ProblemDirectHandler implements DirectHandler {

    static DirectHandlers handlers() {
        ProblemDirectHandler handler = new ProblemDirectHandler();
        DirectHandlers.Builder builder = DirectHandlers.builder();
        for (EventType type : EventType.values()) {
            builder.addHandler(type, handler);
        }
        return builder.build();
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status defaultStatus,
                                    ServerResponseHeaders responseHeaders, String message) {
        String requestId = UUID.randomUUID().toString();
        Problem problem = Problem.of(type(eventType, defaultStatus), null).withInstance(requestId);
        return TransportResponse.builder()
                .status(Status.create(problem.status()))
                .headers(responseHeaders)
                .header(HeaderNames.CONTENT_TYPE, ProblemWriter.MEDIA_TYPE)
                .header(HeaderNames.CACHE_CONTROL, "no-store")
                .header(HeaderNames.create("X-Request-Id"), requestId)
                .entity(ProblemWriter.body(problem))
                .keepAlive(eventType.keepAlive())
                .build();
    }

    private static ProblemType type(EventType eventType, Status status) {
        return switch (status.code()) {
            case 413 -> ProblemType.PAYLOAD_TOO_LARGE;
            case 431 -> ProblemType.HEADERS_TOO_LARGE;
            case 403 -> ProblemType.FORBIDDEN;
            default -> eventType == EventType.INTERNAL_ERROR || status.code() >= 500
                    ? ProblemType.INTERNAL : ProblemType.MALFORMED_REQUEST;
        };
    }
}
