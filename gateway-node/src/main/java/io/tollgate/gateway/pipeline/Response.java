package io.tollgate.gateway.pipeline;

import io.tollgate.common.problem.Problem;

/**
 * What a pipeline answers: either a problem (written as application/problem+json at the boundary) or a status,
 * headers and an optional streamed body from the upstream.
 */
public final class Response {
    private final int status;
    private final HttpFields headers;
    private final Body body;
    private final Problem problem;

    private Response(int status, HttpFields headers, Body body, Problem problem) {
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.problem = problem;
    }

    public static Response problem(Problem problem) {
        return new Response(problem.status(), new HttpFields(), null, problem);
    }

    public static Response of(int status, HttpFields headers, Body body) {
        return new Response(status, headers, body, null);
    }

    public int status() {
        return status;
    }

    public HttpFields headers() {
        return headers;
    }

    /** The body, or null when there is none. */
    public Body body() {
        return body;
    }

    /** The problem, or null for an upstream answer. */
    public Problem problem() {
        return problem;
    }

    public boolean isProblem() {
        return problem != null;
    }
}
