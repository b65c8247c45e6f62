package io.tollgate.console.web;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerResponse;
import io.tollgate.admin.AdminContext;
import io.tollgate.admin.http.Api;
import io.tollgate.common.problem.Problem;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Wraps every console handler with what all pages share, in this order: security headers; the session (a
 * visitor without one is sent to sign in); for a POST, the CSRF token (403 without it, before the handler reads
 * anything else); then the handler, whose problems become HTML error pages.
 */
public final class Pages {
    private static final System.Logger LOG = System.getLogger(Pages.class.getName());
    static final String CSRF_FIELD = "_csrf";
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /** A page handler. */
    @FunctionalInterface
    public interface Action {
        void handle(Visit visit);
    }

    private final AdminContext ctx;
    private final Views views;
    private final Sessions sessions;

    public Pages(AdminContext ctx, Views views, Sessions sessions) {
        this.ctx = ctx;
        this.views = views;
        this.sessions = sessions;
    }

    public Sessions sessions() {
        return sessions;
    }

    /** A page for signed-in users. */
    public Handler signedIn(Action action) {
        return (req, res) -> {
            secure(res);
            Optional<Sessions.SignedIn> signedIn = sessions.resolve(req);
            if (signedIn.isEmpty()) {
                if (req.prologue().method() == Method.POST) {
                    Visit anonymous = new Visit(ctx, views, this, req, res, null);
                    error(anonymous, Status.UNAUTHORIZED_401, "Your session has ended",
                            "Sign in again, then repeat what you were doing.");
                    return;
                }
                String next = req.path().rawPath() + (req.query().isEmpty() ? "" : "?" + req.query().rawValue());
                res.status(Status.SEE_OTHER_303);
                res.header(HeaderNames.LOCATION, "/sign-in?next=" + Visit.encode(next));
                res.send();
                return;
            }
            Visit visit = new Visit(ctx, views, this, req, res, signedIn.get());
            if (req.prologue().method() == Method.POST
                    && !Secrets.same(visit.form().text(CSRF_FIELD), Sessions.csrfOf(signedIn.get()))) {
                refuseCsrf(visit);
                return;
            }
            run(visit, action);
        };
    }

    /** A page anyone may open (sign-in); a POST must carry the pre-session CSRF token. */
    public Handler open(Action action) {
        return (req, res) -> {
            secure(res);
            Visit visit = new Visit(ctx, views, this, req, res, null);
            if (req.prologue().method() == Method.POST) {
                Optional<String> expected = Sessions.expectedPreSessionCsrf(req);
                if (expected.isEmpty() || !Secrets.same(visit.form().text(CSRF_FIELD), expected.get())) {
                    refuseCsrf(visit);
                    return;
                }
            }
            run(visit, action);
        };
    }

    /** Headers on every console response. Pages are never cached: some show secrets once, all show data. */
    static void secure(ServerResponse res) {
        res.header(HeaderNames.create("Content-Security-Policy"), CSP);
        res.header(HeaderNames.create("X-Frame-Options"), "DENY");
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        res.header(HeaderNames.create("Referrer-Policy"), "same-origin");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
    }

    private void run(Visit visit, Action action) {
        try {
            action.handle(visit);
        } catch (ProblemException e) {
            Problem p = e.problem();
            String title = switch (p.type()) {
                case FORBIDDEN -> "Not allowed";
                case NOT_FOUND -> "Not found";
                case PRECONDITION_FAILED -> "Someone else changed it";
                default -> p.type().title();
            };
            error(visit, Status.create(p.status()), title, p.detail());
        } catch (RuntimeException e) {
            String id = Api.requestId(visit.request());
            LOG.log(System.Logger.Level.ERROR, "console request " + id + " failed", e);
            error(visit, Status.INTERNAL_SERVER_ERROR_500, "Something went wrong on our side",
                    "Quote request id " + id + " when you report it.");
        }
    }

    private void refuseCsrf(Visit visit) {
        error(visit, Status.FORBIDDEN_403, "Form expired or not from this console",
                "The form was missing its security token. Go back, reload the page and submit it again.");
    }

    static void error(Visit visit, Status status, String title, String detail) {
        if (visit.response().isSent()) {
            return;
        }
        Map<String, Object> model = new HashMap<>();
        model.put("title", title);
        model.put("detail", detail);
        model.put("status", status.code());
        visit.render(status, "error", model);
    }

    /** Field errors of a validation problem, keyed by form field: {@code targets[2].url} belongs to targets. */
    public static Map<String, String> fieldErrors(ProblemException e) {
        Map<String, String> out = new HashMap<>();
        for (Problem.FieldError fe : e.problem().errors()) {
            String field = fe.field();
            String key = field;
            String message = fe.message();
            int bracket = field.indexOf('[');
            if (bracket >= 0) {
                key = field.substring(0, bracket);
                int end = field.indexOf(']', bracket);
                try {
                    int line = Integer.parseInt(field.substring(bracket + 1, end)) + 1;
                    String rest = field.substring(end + 1).replaceFirst("^\\.", "");
                    message = "line " + line + (rest.isEmpty() ? "" : " (" + rest + ")") + ": " + message;
                } catch (RuntimeException ignored) {
                    // keep the message as it is
                }
            } else if (field.contains(".")) {
                key = field.substring(field.lastIndexOf('.') + 1);
            }
            out.merge(key, message, (a, b) -> a + "; " + b);
        }
        return out;
    }

    public static boolean isValidation(ProblemException e) {
        return e.problem().type() == ProblemType.VALIDATION_FAILED && !e.problem().errors().isEmpty();
    }

    public static boolean isStale(ProblemException e) {
        return e.problem().type() == ProblemType.PRECONDITION_FAILED;
    }
}
