package io.tollgate.common.problem;

import java.net.URI;

/**
 * Every kind of error Tollgate returns, with a stable slug. The slug is the last segment of the problem
 * {@code type} URI and never changes once released: clients and dashboards key on it.
 */
public enum ProblemType {
    VALIDATION_FAILED(400, "validation-failed", "The request is not valid"),
    MALFORMED_REQUEST(400, "malformed-request", "The request could not be read"),
    UNAUTHENTICATED(401, "unauthenticated", "Authentication is required"),
    FORBIDDEN(403, "forbidden", "Not allowed"),
    NOT_FOUND(404, "not-found", "Not found"),
    NO_ROUTE(404, "no-route", "No route matches this request"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
    CONFLICT(409, "conflict", "Conflict with the current state"),
    PRECONDITION_FAILED(412, "precondition-failed", "The resource has changed"),
    PAYLOAD_TOO_LARGE(413, "payload-too-large", "Payload too large"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Unsupported media type"),
    UNPROCESSABLE(422, "unprocessable", "The request cannot be processed"),
    RATE_LIMITED(429, "rate-limited", "Too many requests"),
    QUOTA_EXCEEDED(429, "quota-exceeded", "Quota exceeded"),
    HEADERS_TOO_LARGE(431, "headers-too-large", "Request headers too large"),
    INTERNAL(500, "internal", "Internal error"),
    UPSTREAM_UNAVAILABLE(502, "upstream-unavailable", "The upstream service is unavailable"),
    NO_HEALTHY_UPSTREAM(503, "no-healthy-upstream", "No healthy upstream target"),
    UNAVAILABLE(503, "unavailable", "Service unavailable"),
    UPSTREAM_TIMEOUT(504, "upstream-timeout", "The upstream service did not answer in time");

    private static final String BASE = "https://tollgate.dev/problems/";

    private final int status;
    private final String slug;
    private final String title;

    ProblemType(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }

    public URI uri() {
        return URI.create(BASE + slug);
    }
}
