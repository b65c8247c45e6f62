package io.tollgate.gateway.http;

import io.tollgate.common.problem.Problem;
import io.tollgate.gateway.pipeline.HttpFields;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The gateway's own refusals as gRPC sees them. A gRPC client reads the outcome of a call from {@code grpc-status}
 * and {@code grpc-message}, not from the HTTP status, so a refusal of a gRPC request (content type
 * {@code application/grpc*}) is answered HTTP 200 "Trailers-Only": one HEADERS frame carrying the status fields,
 * no body. The codes follow what gRPC's own HTTP-to-gRPC mapping and its proxies use.
 */
final class GrpcStatus {
    static final int UNKNOWN = 2;
    static final int INVALID_ARGUMENT = 3;
    static final int DEADLINE_EXCEEDED = 4;
    static final int NOT_FOUND = 5;
    static final int PERMISSION_DENIED = 7;
    static final int RESOURCE_EXHAUSTED = 8;
    static final int UNIMPLEMENTED = 12;
    static final int INTERNAL = 13;
    static final int UNAVAILABLE = 14;
    static final int UNAUTHENTICATED = 16;

    private GrpcStatus() {
    }

    /** True for a gRPC request: its content type is application/grpc or application/grpc+proto etc. */
    static boolean isGrpc(HttpFields requestHeaders) {
        String type = requestHeaders.first("Content-Type");
        return type != null && isGrpc(type);
    }

    /** True for a gRPC content type: application/grpc, application/grpc+proto etc. */
    static boolean isGrpc(String contentType) {
        return contentType.toLowerCase(Locale.ROOT).startsWith("application/grpc");
    }

    static int of(Problem problem) {
        return switch (problem.type()) {
            case UNAUTHENTICATED -> UNAUTHENTICATED;
            case FORBIDDEN -> PERMISSION_DENIED;
            case RATE_LIMITED, QUOTA_EXCEEDED, PAYLOAD_TOO_LARGE -> RESOURCE_EXHAUSTED;
            case UPSTREAM_UNAVAILABLE, NO_HEALTHY_UPSTREAM, UNAVAILABLE -> UNAVAILABLE;
            case UPSTREAM_TIMEOUT -> DEADLINE_EXCEEDED;
            // no route for /package.Service/Method: the method does not exist here
            case NO_ROUTE, METHOD_NOT_ALLOWED -> UNIMPLEMENTED;
            case NOT_FOUND -> NOT_FOUND;
            case MALFORMED_REQUEST, VALIDATION_FAILED, HEADERS_TOO_LARGE -> INVALID_ARGUMENT;
            case INTERNAL -> INTERNAL;
            default -> UNKNOWN;
        };
    }

    /** The problem's title (and detail) as a {@code grpc-message}: percent-encoded UTF-8 as gRPC requires. */
    static String message(Problem problem) {
        String text = problem.detail() == null ? problem.type().title()
                : problem.type().title() + ": " + problem.detail();
        return percentEncode(text);
    }

    /** gRPC's encoding of grpc-message: printable ASCII except '%' stays, everything else is %XX of its UTF-8. */
    static String percentEncode(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 0x20 && c <= 0x7e && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
