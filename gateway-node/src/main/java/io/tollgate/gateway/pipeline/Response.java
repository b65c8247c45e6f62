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
    /** For a {@link #deferred()} answer: the answer it became, once known. */
    private Response resolved;

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

    /**
     * The forwarding step's answer when the exchange is forwarded later, without blocking
     * ({@link Exchange#forwardsLater()}): the event loop sends the request and {@link #resolve}s this with the
     * upstream's answer (or a problem). Filters that held on to it (the recording) then see the real answer.
     */
    public static Response deferred() {
        return new Response(0, new HttpFields(), null, null);
    }

    /** True for a {@link #deferred()} answer not resolved yet. */
    public boolean isDeferred() {
        return status == 0 && resolved == null;
    }

    /** Makes a deferred answer stand for {@code actual} from now on. */
    public void resolve(Response actual) {
        if (status != 0 || resolved != null) {
            throw new IllegalStateException("not a pending deferred answer");
        }
        this.resolved = actual;
    }

    public int status() {
        return resolved != null ? resolved.status : status;
    }

    public HttpFields headers() {
        return resolved != null ? resolved.headers : headers;
    }

    /** The body, or null when there is none. */
    public Body body() {
        return resolved != null ? resolved.body : body;
    }

    /** The problem, or null for an upstream answer. */
    public Problem problem() {
        return resolved != null ? resolved.problem : problem;
    }

    public boolean isProblem() {
        return problem() != null;
    }
}
